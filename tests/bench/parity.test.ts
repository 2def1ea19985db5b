import { describe, expect, it } from 'vitest';
import { frameDifference, median } from '../../bench/parity.js';

describe('frameDifference', () => {
  it('GIVEN two frames of 2 bytes THEN mean and max in 0..1 units, and the worst frame', () => {
    const d = frameDifference(Uint8Array.from([10, 20, 30, 40]), Uint8Array.from([10, 22, 30, 35]), 2);
    expect(d.frames).toBe(2);
    expect(d.meanAbs).toBeCloseTo(7 / 4 / 255, 12);
    expect(d.maxAbs).toBeCloseTo(5 / 255, 12);
    expect(d.worstFrameMeanAbs).toBeCloseTo(2.5 / 255, 12);
  });
  it('GIVEN one side with more frames THEN only the common frames are compared', () => {
    expect(frameDifference(Uint8Array.from([1, 1, 9, 9]), Uint8Array.from([1, 1]), 2).frames).toBe(1);
  });
  it('GIVEN data that is not whole frames THEN a RangeError', () => {
    expect(() => frameDifference(new Uint8Array(3), new Uint8Array(4), 2)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('GIVEN odd and even counts THEN the middle value or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
