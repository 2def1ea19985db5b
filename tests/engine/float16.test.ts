import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from '../../src/engine/worker/float16.js';

describe('float16 bits', () => {
  it.each([
    // value, its half-precision bits, the value those bits hold
    [0, 0x0000, 0],
    [-0, 0x8000, -0],
    [1, 0x3c00, 1],
    [-2, 0xc000, -2],
    [0.5, 0x3800, 0.5],
    [65504, 0x7bff, 65504],
    [1e6, 0x7c00, Infinity],
    [-Infinity, 0xfc00, -Infinity],
    [2 ** -24, 0x0001, 2 ** -24],
    [2 ** -14, 0x0400, 2 ** -14],
    [1 + 2 ** -11, 0x3c00, 1], // a tie rounds to even (down)
    [1 + 3 * 2 ** -11, 0x3c02, 1 + 2 ** -9], // a tie rounds to even (up)
  ])('%f → %i → %f', (value, bits, decoded) => {
    expect(toFloat16Bits(value)).toBe(bits);
    expect(fromFloat16Bits(bits)).toBe(decoded);
  });

  it('round-trips every finite half and keeps NaN', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if (((bits >> 10) & 0x1f) === 0x1f) continue;
      expect(toFloat16Bits(fromFloat16Bits(bits))).toBe(bits);
    }
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
  });
});

describe('float16 arrays', () => {
  it('round-trips 0..1 within half precision', () => {
    const values = Float32Array.from({ length: 1001 }, (_, i) => i / 1000);
    const back = float16ToFloat32(float32ToFloat16(values));
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(2 ** -11));
  });
});
