import { convexHullArea } from './hull.js';
import type { Keypoints } from './keypoints.js';
import { inverse2, multiply2 } from './matrix2.js';

export interface NormalizeOptions {
  /** Relative motion (FOMM's use_relative_movement and use_relative_jacobian); false = absolute. */
  readonly relative: boolean;
  /** Scale the motion by the ratio of the keypoint hulls (FOMM's adapt_movement_scale). */
  readonly adaptScale: boolean;
}

/**
 * α = √area(hull(kp_source)) / √area(hull(kp_driving_initial)); 1 when either hull
 * is degenerate (fewer than three keypoints, or all on one line).
 */
export function movementScale(source: Keypoints, drivingInitial: Keypoints, eps = 1e-12): number {
  const sourceArea = convexHullArea(source.value);
  const drivingArea = convexHullArea(drivingInitial.value);
  if (sourceArea <= eps || drivingArea <= eps) return 1;
  return Math.sqrt(sourceArea) / Math.sqrt(drivingArea);
}

/**
 * FOMM's normalize_kp for one frame.
 *   absolute:  the driving keypoints as they are.
 *   relative:  value    = kp_source + α·(kp_driving − kp_driving_initial)
 *              jacobian = (J_driving · J_driving_initial⁻¹) · J_source
 * `alpha` may be passed in (it is constant for a whole video) to avoid recomputing hulls.
 */
export function normalizeKeypoints(
  source: Keypoints,
  driving: Keypoints,
  drivingInitial: Keypoints,
  options: NormalizeOptions,
  alpha: number = options.adaptScale ? movementScale(source, drivingInitial) : 1,
): Keypoints {
  if (!options.relative) {
    return { value: driving.value.slice(), jacobian: driving.jacobian.slice() };
  }
  const k = source.value.length / 2;
  if (driving.value.length !== k * 2 || drivingInitial.value.length !== k * 2) {
    throw new RangeError('source and driving keypoints differ in count');
  }
  const value = new Float32Array(k * 2);
  for (let i = 0; i < k * 2; i++) {
    value[i] = source.value[i]! + alpha * (driving.value[i]! - drivingInitial.value[i]!);
  }
  const jacobian = new Float32Array(k * 4);
  for (let i = 0; i < k; i++) {
    const o = i * 4;
    const diff = multiply2(driving.jacobian, inverse2(drivingInitial.jacobian, o), o, 0);
    jacobian.set(multiply2(diff, source.jacobian, 0, o), o);
  }
  return { value, jacobian };
}
