import { describe, expect, it } from 'vitest';
import {
  BestFrameTracker,
  bestFrameIndex,
  convexHullArea,
  inverse2,
  movementScale,
  multiply2,
  normalizeKeypoints,
  type Keypoints,
} from '../../src/engine/keypoints/index.js';

const kp = (value: number[], jacobian: number[]): Keypoints => ({ value: Float32Array.from(value), jacobian: Float32Array.from(jacobian) });
const I = [1, 0, 0, 1];

describe('convexHullArea', () => {
  it('GIVEN a unit square with an interior point and unsorted order THEN the area is 1', () => {
    expect(convexHullArea([1, 1, 0, 0, 0.5, 0.5, 1, 0, 0, 1])).toBeCloseTo(1, 12);
  });
  it('GIVEN a right triangle with legs 3 and 4 THEN the area is 6', () => {
    expect(convexHullArea([0, 0, 3, 0, 0, 4])).toBeCloseTo(6, 12);
  });
  it('GIVEN fewer than three points or collinear points THEN the hull is degenerate (0)', () => {
    expect(convexHullArea([0, 0])).toBe(0);
    expect(convexHullArea([0, 0, 1, 1])).toBe(0);
    expect(convexHullArea([0, 0, 1, 1, 2, 2, 3, 3])).toBe(0);
  });
});

describe('2×2 matrices', () => {
  it('GIVEN [[4,7],[2,6]] THEN the inverse is [[0.6,−0.7],[−0.2,0.4]]', () => {
    const inv = inverse2([4, 7, 2, 6]);
    [0.6, -0.7, -0.2, 0.4].forEach((v, i) => expect(inv[i]).toBeCloseTo(v, 12));
    const back = multiply2([4, 7, 2, 6], inv);
    I.forEach((v, i) => expect(back[i]).toBeCloseTo(v, 12));
  });
  it('GIVEN a singular matrix THEN inverse2 throws', () => {
    expect(() => inverse2([1, 2, 2, 4])).toThrow(/singular/);
  });
});

describe('normalizeKeypoints (FOMM normalize_kp)', () => {
  // Source: triangle of area 0.5; driving initial: the same triangle doubled (area 2) → α = √0.5/√2 = 0.5.
  const source = kp([0, 0, 1, 0, 0, 1], [1, 0, 0, 2, ...I, ...I]);
  const initial = kp([0, 0, 2, 0, 0, 2], [2, 0, 0, 1, ...I, ...I]);
  const driving = kp([0.2, -0.4, 2.2, -0.4, 0.2, 1.6], [2, 1, 0, 1, ...I, ...I]);

  it('GIVEN hulls of area 0.5 and 2 THEN α is 0.5', () => {
    expect(movementScale(source, initial)).toBeCloseTo(0.5, 12);
  });

  it('GIVEN relative mode with adapt-scale THEN value = source + α·(driving − initial)', () => {
    const out = normalizeKeypoints(source, driving, initial, { relative: true, adaptScale: true });
    const expected = [0.1, -0.2, 1.1, -0.2, 0.1, 0.8];
    expected.forEach((v, i) => expect(out.value[i]).toBeCloseTo(v, 6));
  });

  it('GIVEN relative mode THEN jacobian = (J_d · J_d0⁻¹) · J_s', () => {
    // J_d·J_d0⁻¹ = [[2,1],[0,1]]·[[0.5,0],[0,1]] = [[1,1],[0,1]]; times J_s = [[1,0],[0,2]] → [[1,2],[0,2]].
    const out = normalizeKeypoints(source, driving, initial, { relative: true, adaptScale: true });
    [1, 2, 0, 2].forEach((v, i) => expect(out.jacobian[i]).toBeCloseTo(v, 6));
    I.forEach((v, i) => expect(out.jacobian[4 + i]).toBeCloseTo(v, 6));
  });

  it('GIVEN adapt-scale off THEN α is 1', () => {
    const out = normalizeKeypoints(source, driving, initial, { relative: true, adaptScale: false });
    [0.2, -0.4, 1.2, -0.4, 0.2, 0.6].forEach((v, i) => expect(out.value[i]).toBeCloseTo(v, 6));
  });

  it('GIVEN absolute mode THEN the driving keypoints are returned unchanged (and not aliased)', () => {
    const out = normalizeKeypoints(source, driving, initial, { relative: false, adaptScale: true });
    expect(Array.from(out.value)).toEqual(Array.from(driving.value));
    expect(Array.from(out.jacobian)).toEqual(Array.from(driving.jacobian));
    expect(out.value).not.toBe(driving.value);
  });

  it('GIVEN a single keypoint (degenerate hull) THEN α is 1', () => {
    const one = kp([0.1, 0.1], I);
    expect(movementScale(one, kp([0.5, 0.5], I))).toBe(1);
    const out = normalizeKeypoints(one, kp([0.7, 0.2], I), kp([0.5, 0.5], I), { relative: true, adaptScale: true });
    [0.3, -0.2].forEach((v, i) => expect(out.value[i]).toBeCloseTo(v, 6));
  });

  it('GIVEN collinear driving keypoints THEN α is 1', () => {
    expect(movementScale(source, kp([0, 0, 1, 1, 2, 2], [...I, ...I, ...I]))).toBe(1);
  });
});

describe('best frame', () => {
  const source = kp([0, 0, 1, 0, 0, 1], [...I, ...I, ...I]);
  it('GIVEN frames that are shifted and scaled copies of other poses THEN the one matching the source up to position and scale wins', () => {
    const frames = [
      kp([0, 0, 1, 0, 1, 1], [...I, ...I, ...I]), // a different shape
      kp([5, 5, 7, 5, 5, 7], [...I, ...I, ...I]), // the source's shape, moved and doubled
      kp([0, 0, 1, 0.2, 0, 1], [...I, ...I, ...I]), // close but not equal
    ];
    expect(bestFrameIndex(source, frames)).toBe(1);
  });
  it('GIVEN one keypoint THEN the jacobian (normalised to unit determinant) decides', () => {
    const rot = (a: number, s: number) => [s * Math.cos(a), -s * Math.sin(a), s * Math.sin(a), s * Math.cos(a)];
    const one = kp([0, 0], rot(0.5, 1));
    const frames = [kp([0.3, 0.1], rot(0, 1)), kp([-0.4, 0.2], rot(0.52, 3)), kp([0, 0], rot(1.5, 1))];
    expect(bestFrameIndex(one, frames)).toBe(1);
  });
  it('GIVEN ties THEN the earliest frame wins, and the tracker keeps a copy of its keypoints', () => {
    const tracker = new BestFrameTracker(source);
    const a = kp([0, 0, 1, 0, 0, 1], [...I, ...I, ...I]);
    tracker.offer(kp([0, 0, 2, 0, 2, 2], [...I, ...I, ...I]));
    tracker.offer(a);
    tracker.offer(kp([0, 0, 1, 0, 0, 1], [...I, ...I, ...I]));
    a.value[0] = 99;
    expect(tracker.best.index).toBe(1);
    expect(tracker.best.keypoints.value[0]).toBe(0);
  });
});
