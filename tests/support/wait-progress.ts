/**
 * Waits until `count()` reaches `target`, for as long as it keeps moving: it fails only when the count has not
 * grown for `stallMs`. A slow machine takes longer but passes; a stuck one fails with how far it got. For load
 * tests, where a wall-clock budget would assert on this machine's speed.
 */
export async function waitForProgress(
  what: string,
  count: () => number,
  target: number,
  { stallMs = 120_000, intervalMs = 500 }: { stallMs?: number; intervalMs?: number } = {},
): Promise<void> {
  let last = count();
  let lastMovedAt = Date.now();
  while (last < target) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const now = count();
    if (now > last) {
      last = now;
      lastMovedAt = Date.now();
    } else if (Date.now() - lastMovedAt > stallMs) {
      throw new Error(`${what}: stuck at ${now} of ${target} for ${Math.round(stallMs / 1000)} s`);
    }
  }
}
