/** Runs `fn` for each item, one after the other (not at once: order matters, e.g. jobs enqueued in turn); the results in order. */
export async function inOrder<T, R>(items: Iterable<T>, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let i = 0;
  for (const item of items) out.push(await fn(item, i++));
  return out;
}

/** 0, 1, … n−1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
