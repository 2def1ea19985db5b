/**
 * Several initializers computed together (a folded weight and its bias; the four kernels of a sub-pixel block):
 * the first one asked for computes them all, and the result is let go once each has been taken. The model
 * writer takes a layer's initializers one after another, so only one layer's numbers are held at a time.
 */
export function lazyParts<K extends string>(keys: readonly K[], compute: () => Promise<Record<K, Float32Array>>): (key: K) => () => Promise<Float32Array> {
  let pending: Promise<Record<K, Float32Array>> | null = null;
  let taken = new Set<K>();
  return (key) => async () => {
    pending ??= compute();
    const result = pending;
    taken.add(key);
    if (taken.size === keys.length) {
      pending = null;
      taken = new Set();
    }
    return (await result)[key];
  };
}
