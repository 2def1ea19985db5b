/**
 * float32 → IEEE 754 half precision, as numpy's `np.clip(x, -65504, 65504).astype(np.float16)` gives (the Python
 * converter's to_half): values beyond float16's range are clipped to ±65504 (and counted), the rest rounded to
 * nearest, ties to even; NaN stays NaN.
 */
export const FLOAT16_MAX = 65504;

export interface HalfResult {
  readonly bits: Uint16Array;
  /** How many values lay beyond ±65504 and were clipped. */
  readonly clipped: number;
}

export function toFloat16(values: Float32Array): HalfResult {
  const bits = new Uint16Array(values.length);
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let clipped = 0;
  for (let i = 0; i < words.length; i++) {
    const x = words[i]!;
    const sign = (x >>> 16) & 0x8000;
    const magnitude = x & 0x7fffffff;
    if (magnitude > 0x7f800000) {
      bits[i] = sign | 0x7e00; // NaN
    } else if (magnitude > 0x477fe000) {
      // Beyond 65504 (0x477fe000), infinities included: clipped to the largest half.
      bits[i] = sign | 0x7bff;
      clipped += 1;
    } else {
      bits[i] = sign | halfMagnitude(magnitude);
    }
  }
  return { bits, clipped };
}

/** The half-precision bits of a finite float32 magnitude no larger than 65504, rounded to nearest even. */
function halfMagnitude(magnitude: number): number {
  const exponent = (magnitude >>> 23) - 127 + 15;
  if (exponent <= 0) {
    if (exponent < -10) return 0;
    const mantissa = (magnitude & 0x7fffff) | 0x800000;
    const shift = 14 - exponent;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const tie = 1 << (shift - 1);
    return rest > tie || (rest === tie && (half & 1) === 1) ? half + 1 : half;
  }
  const half = (exponent << 10) | ((magnitude & 0x7fffff) >>> 13);
  const rest = magnitude & 0x1fff;
  // A carry out of the mantissa increments the exponent, which is the right value.
  return rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half;
}
