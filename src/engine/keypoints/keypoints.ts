/**
 * Keypoints of one frame, FOMM layout: K points as interleaved (x, y) in −1..1
 * and K row-major 2×2 local affine jacobians.
 */
export interface Keypoints {
  /** [K*2]: x0, y0, x1, y1, … */
  readonly value: Float32Array;
  /** [K*4]: J0 = [[a, b], [c, d]] as a, b, c, d, then J1, … */
  readonly jacobian: Float32Array;
}

export function keypointCount(kp: Keypoints): number {
  return kp.value.length / 2;
}

/** The keypoints of frame `index` within batched tensors kp_value [N,K,2] and kp_jacobian [N,K,2,2]. */
export function frameKeypoints(values: Float32Array, jacobians: Float32Array, k: number, index: number): Keypoints {
  return {
    value: values.slice(index * k * 2, (index + 1) * k * 2),
    jacobian: jacobians.slice(index * k * 4, (index + 1) * k * 4),
  };
}
