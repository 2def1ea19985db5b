/**
 * How far two sets of RGB24 frames are apart, in 0..1 units (a level of 1/255
 * is one step of an 8-bit channel). Pure; used to check that the engine's clip
 * matches the PyTorch reference loop's frames.
 */
export interface FrameDifference {
  readonly frames: number;
  /** Mean absolute difference over every channel of every frame, in 0..1. */
  readonly meanAbs: number;
  /** Largest absolute difference, in 0..1. */
  readonly maxAbs: number;
  /** The worst frame's mean absolute difference, in 0..1. */
  readonly worstFrameMeanAbs: number;
}

export function frameDifference(a: Uint8Array, b: Uint8Array, frameBytes: number): FrameDifference {
  if (frameBytes <= 0 || a.length % frameBytes !== 0 || b.length % frameBytes !== 0) {
    throw new RangeError(`frame data (${a.length} and ${b.length} bytes) is not whole frames of ${frameBytes} bytes`);
  }
  const frames = Math.min(a.length, b.length) / frameBytes;
  if (frames === 0) throw new RangeError('no frames to compare');
  let total = 0;
  let max = 0;
  let worst = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * frameBytes, end = i + frameBytes; i < end; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      sum += d;
      if (d > max) max = d;
    }
    total += sum;
    worst = Math.max(worst, sum / frameBytes);
  }
  return { frames, meanAbs: total / (frames * frameBytes) / 255, maxAbs: max / 255, worstFrameMeanAbs: worst / 255 };
}

/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
