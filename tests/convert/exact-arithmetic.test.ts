/**
 * The float64 arithmetic the Winograd weights are computed with (src/convert/fomm/exact-arithmetic.ts): the
 * emulated fused multiply-add against exact integer arithmetic, and the test for values whose float32 rounding
 * depends on the order of computation.
 */
import { describe, expect, it } from 'vitest';
import { float32RoundingUncertain, fusedDot, fusedMultiplyAdd } from '../../src/convert/fomm/exact-arithmetic.js';

/** a·b + c rounded once, in exact integer arithmetic: the reference. */
function exactFma(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const product = ma * mb;
  if (product === 0n) return c;
  const e = Math.min(ea + eb, ec);
  const sum = (product << BigInt(ea + eb - e)) + (mc === 0n ? 0n : mc << BigInt(ec - e));
  return compose(sum, e);
}

function decompose(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const exponent = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  return [hi >>> 31 ? -mantissa : mantissa, (exponent === 0 ? 1 : exponent) - 1075];
}

function compose(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const negative = m < 0n;
  let magnitude = negative ? -m : m;
  const excess = magnitude.toString(2).length - 53;
  if (excess > 0) {
    const rest = magnitude & ((1n << BigInt(excess)) - 1n);
    const half = 1n << BigInt(excess - 1);
    magnitude >>= BigInt(excess);
    if (rest > half || (rest === half && (magnitude & 1n) === 1n)) magnitude += 1n;
    e += excess;
  }
  return (negative ? -1 : 1) * Number(magnitude) * 2 ** e;
}

/** A seeded generator (mulberry32) of doubles in [-1, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

const WINOGRAD_G = [1 / 4, -1 / 6, 1 / 6, 1 / 24, 1 / 12, -1 / 12, 1, 0];

describe('fusedMultiplyAdd', () => {
  it('GIVEN random doubles THEN a·b + c rounded once, as exact arithmetic gives', () => {
    const random = seeded(1);
    for (let i = 0; i < 20_000; i++) {
      const [a, b, c] = [random() * 2 ** (random() * 20), random(), random() * 2 ** (random() * 20 - 10)];
      expect(fusedMultiplyAdd(a!, b!, c!)).toBe(exactFma(a!, b!, c!));
    }
  });

  it('GIVEN float32 weights and the Winograd constants, where exact ties are common, THEN the exact result', () => {
    const random = seeded(2);
    let differsFromSeparateRounding = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = WINOGRAD_G[Math.floor((random() + 1) * 4)]!;
      const b = Math.fround(random() * 0.05);
      const c = i % 2 === 0 ? Math.fround(random() * 0.05) : (random() * 0.05) / 6;
      const fused = fusedMultiplyAdd(a, b, c);
      expect(fused).toBe(exactFma(a, b, c));
      if (fused !== a * b + c) differsFromSeparateRounding += 1;
    }
    // The fusion matters (else this test could not tell it from a·b + c).
    expect(differsFromSeparateRounding).toBeGreaterThan(100);
  });

  it('GIVEN a chain THEN each term is fused into the running sum', () => {
    const xs = [1 / 6, -1 / 6, 1 / 6];
    const ys = [Math.fround(0.3), Math.fround(-0.7), Math.fround(0.11)];
    expect(fusedDot(xs, ys)).toBe(exactFma(xs[2]!, ys[2]!, exactFma(xs[1]!, ys[1]!, xs[0]! * ys[0]!)));
  });
});

describe('float32RoundingUncertain', () => {
  it('GIVEN a value between two float32 numbers THEN uncertain only when the slack reaches their midpoint', () => {
    const below = 1;
    const above = 1 + 2 ** -23;
    const midpoint = (below + above) / 2;
    expect(float32RoundingUncertain(midpoint, 2 ** -60)).toBe(true);
    expect(float32RoundingUncertain(midpoint - 2 ** -30, 2 ** -40)).toBe(false);
    expect(float32RoundingUncertain(midpoint - 2 ** -30, 2 ** -29)).toBe(true);
    // A float32 value known only roughly may round either way too.
    expect(float32RoundingUncertain(below, 2 ** -20)).toBe(true);
    expect(float32RoundingUncertain(below, 0)).toBe(false);
  });
});
