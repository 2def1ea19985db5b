import { convexHullArea } from './hull.js';
import type { Keypoints } from './keypoints.js';
import { det2 } from './matrix2.js';

/**
 * Choosing the driving frame to start from (FOMM demo's find_best_frame, with the
 * model's own keypoints instead of a face-landmark model): each frame's keypoints
 * and the source's are normalised for position (centred on their mean) and scale
 * (divided by √area of their hull), and the frame with the smallest sum of squared
 * differences wins. With fewer than three keypoints the hull is degenerate, so the
 * scale is the keypoints' RMS distance from their mean, and the jacobians, each
 * normalised to unit determinant, are compared too (they carry the pose of a
 * single-keypoint model).
 */
export function normalizedPose(kp: Keypoints): Float64Array {
  const k = kp.value.length / 2;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < k; i++) {
    cx += kp.value[2 * i]!;
    cy += kp.value[2 * i + 1]!;
  }
  cx /= k;
  cy /= k;
  const area = convexHullArea(kp.value);
  let scale = Math.sqrt(area);
  if (!(scale > 1e-9)) {
    let sq = 0;
    for (let i = 0; i < k; i++) sq += (kp.value[2 * i]! - cx) ** 2 + (kp.value[2 * i + 1]! - cy) ** 2;
    scale = Math.sqrt(sq / k);
  }
  if (!(scale > 1e-9)) scale = 1;
  const withJacobian = k < 3;
  const out = new Float64Array(k * 2 + (withJacobian ? k * 4 : 0));
  for (let i = 0; i < k; i++) {
    out[2 * i] = (kp.value[2 * i]! - cx) / scale;
    out[2 * i + 1] = (kp.value[2 * i + 1]! - cy) / scale;
  }
  if (withJacobian) {
    for (let i = 0; i < k; i++) {
      const s = Math.sqrt(Math.abs(det2(kp.jacobian, 4 * i))) || 1;
      for (let j = 0; j < 4; j++) out[k * 2 + 4 * i + j] = kp.jacobian[4 * i + j]! / s;
    }
  }
  return out;
}

export function poseDistance(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  return d;
}

/**
 * Streams frames' keypoints through and remembers the closest so far, so the
 * choice needs memory for one frame, whatever the video's length.
 */
export class BestFrameTracker {
  private readonly target: Float64Array;
  private bestDistance = Infinity;
  private bestIndex = -1;
  private bestKeypoints: Keypoints | null = null;
  private seen = 0;

  constructor(source: Keypoints) {
    this.target = normalizedPose(source);
  }

  /** Offers the next frame (frames must come in order). Ties keep the earlier frame. */
  offer(kp: Keypoints): void {
    const d = poseDistance(this.target, normalizedPose(kp));
    if (d < this.bestDistance) {
      this.bestDistance = d;
      this.bestIndex = this.seen;
      this.bestKeypoints = { value: kp.value.slice(), jacobian: kp.jacobian.slice() };
    }
    this.seen += 1;
  }

  get best(): { readonly index: number; readonly keypoints: Keypoints; readonly distance: number } {
    if (this.bestKeypoints === null) throw new RangeError('no driving frames');
    return { index: this.bestIndex, keypoints: this.bestKeypoints, distance: this.bestDistance };
  }
}

/** Index of the driving frame whose normalised pose is closest to the source's (first on ties). */
export function bestFrameIndex(source: Keypoints, driving: readonly Keypoints[]): number {
  const tracker = new BestFrameTracker(source);
  for (const kp of driving) tracker.offer(kp);
  return tracker.best.index;
}
