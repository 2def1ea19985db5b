/**
 * 2×2 matrices stored row-major in 4 consecutive numbers [a, b, c, d] = [[a, b], [c, d]],
 * the layout of FOMM's jacobians ([..., 2, 2] tensors flattened).
 */
export type Mat2 = readonly [number, number, number, number];

export function det2(m: ArrayLike<number>, offset = 0): number {
  return m[offset]! * m[offset + 3]! - m[offset + 1]! * m[offset + 2]!;
}

/** Closed-form inverse; throws on a singular matrix (|det| below `eps`). */
export function inverse2(m: ArrayLike<number>, offset = 0, eps = 1e-12): Mat2 {
  const a = m[offset]!;
  const b = m[offset + 1]!;
  const c = m[offset + 2]!;
  const d = m[offset + 3]!;
  const det = a * d - b * c;
  if (!Number.isFinite(det) || Math.abs(det) < eps) throw new RangeError(`singular 2×2 matrix (det ${det})`);
  return [d / det, -b / det, -c / det, a / det];
}

export function multiply2(x: ArrayLike<number>, y: ArrayLike<number>, xo = 0, yo = 0): Mat2 {
  const a = x[xo]!,
    b = x[xo + 1]!,
    c = x[xo + 2]!,
    d = x[xo + 3]!;
  const e = y[yo]!,
    f = y[yo + 1]!,
    g = y[yo + 2]!,
    h = y[yo + 3]!;
  return [a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h];
}
