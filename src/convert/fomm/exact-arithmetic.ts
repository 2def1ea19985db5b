/**
 * float64 arithmetic for the weights where the order of rounding shows (winograd-math.ts): a fused multiply-add
 * rounded once, as the BLAS under torch.einsum computes, and a test for a value so close to the boundary between
 * two float32 numbers that the rounding on the way may decide which one it becomes.
 */
const double = new Float64Array(1);
const words = new Uint32Array(double.buffer);
/** The low word of a float64 in `words` (typed arrays use the machine's order; little-endian is assumed, as the model writer requires). */
const LOW = 0;
const SPLITTER = 2 ** 27 + 1;

/**
 * a·b + c rounded once (IEEE 754 fusedMultiplyAdd) in float64 arithmetic, by Boldo and Melquiond's emulation
 * ("Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 2008):
 * the exact product and sum as pairs of doubles, their low parts added rounded to odd, then one rounding to
 * nearest. Exact away from overflow and underflow, which the weights here never come near.
 */
export function fusedMultiplyAdd(a: number, b: number, c: number): number {
  // Dekker's product: high + low = a·b exactly.
  const high = a * b;
  const aSplit = SPLITTER * a;
  const aHigh = aSplit - (aSplit - a);
  const aLow = a - aHigh;
  const bSplit = SPLITTER * b;
  const bHigh = bSplit - (bSplit - b);
  const bLow = b - bHigh;
  const low = aLow * bLow - (high - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
  // Knuth's sum: sum + sumError = c + high exactly.
  const sum = c + high;
  const virtual = sum - high;
  const sumError = c - virtual + (high - (sum - virtual));
  return sum + addRoundedToOdd(sumError, low);
}

/** x + y rounded to odd: exact if representable, else the neighbour of the exact sum whose last bit is 1. */
function addRoundedToOdd(x: number, y: number): number {
  const sum = x + y;
  const virtual = sum - y;
  const error = x - virtual + (y - (sum - virtual));
  if (error === 0) return sum;
  double[0] = sum;
  if ((words[LOW]! & 1) === 1) return sum;
  // One step from `sum` (not zero: a sum that rounds to zero is exact) towards the exact value.
  if (error > 0 === sum > 0) {
    words[LOW] = (words[LOW]! + 1) >>> 0;
    if (words[LOW] === 0) words[1 - LOW]! += 1;
  } else {
    if (words[LOW] === 0) words[1 - LOW]! -= 1;
    words[LOW] = (words[LOW]! - 1) >>> 0;
  }
  return double[0]!;
}

/** Σ xs[k]·ys[k] as an FMA chain: x0·y0 rounded, then each term fused into the running sum. */
export function fusedDot(xs: readonly number[], ys: readonly number[]): number {
  let sum = xs[0]! * ys[0]!;
  for (let k = 1; k < xs.length; k++) sum = fusedMultiplyAdd(xs[k]!, ys[k]!, sum);
  return sum;
}

/**
 * Whether `x`, known to within `slack` (how far another order of rounding could move it), could become another
 * float32 number: float32 rounding is monotonic, so it cannot when both ends of the interval round alike.
 */
export function float32RoundingUncertain(x: number, slack: number): boolean {
  // At least a few float64 steps: a value exactly on a midpoint is uncertain however small the slack.
  const reach = Math.max(slack, Math.abs(x) * 2 ** -50);
  return Math.fround(x - reach) !== Math.fround(x + reach);
}
