/**
 * When a job running elsewhere should end, from what its worker reports to the store (the share done, with each
 * heartbeat) and when the attempt started: the time so far, scaled to the rest. Null until there is a share to
 * scale (the first few percent say little).
 */
export function estimatedEndMs(startedMs: number | null, progress: number | null, nowMs: number): number | null {
  if (startedMs === null || progress === null || progress < 0.05 || progress > 1) return null;
  const elapsed = Math.max(0, nowMs - startedMs);
  return nowMs + Math.round((elapsed * (1 - progress)) / progress);
}
