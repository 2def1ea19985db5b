import type { Tensor } from '../../onnx-builder/network-builder.js';
import { attr } from '../../onnx-builder/onnx-types.js';
import { batchShape, coordinateGrid, inverse2x2 } from './geometry.js';
import { hourglass } from './hourglass.js';
import { antialias, conv, plainConvWeights, type Feature, type Layers } from './layers.js';
import { reduction, type ModelParams } from './model-params.js';
import { antialiasKernelSize } from './state-dict-layout.js';

/** The keypoints of the source and driving frames: values [N, K, 2] and jacobians [N, K, 2, 2] (null: zero-order). */
export interface Keypoints {
  readonly sourceValue: Tensor;
  readonly sourceJacobian: Tensor | null;
  readonly drivingValue: Tensor;
  readonly drivingJacobian: Tensor | null;
}

export interface Motion {
  /** The backward warp for grid_sample, [N, h, w, 2]. */
  readonly deformation: Feature;
  /** Where the warped source can be trusted, [N, 1, h, w]; null when the config estimates no occlusion. */
  readonly occlusion: Tensor | null;
}

/**
 * FOMM's dense motion network (dense_motion.py, paper eqs. 4–7): K + 1 candidate warps (the identity for the
 * background and, per keypoint, kp_source + J_source·J_driving⁻¹·(z − kp_driving)), the source warped by each, and
 * an hourglass that chooses between them per pixel (a softmax mask) and predicts the occlusion map.
 */
export function denseMotion(l: Layers, source: Feature, kps: Keypoints, p: ModelParams): Motion {
  const { b } = l;
  const dense = p.generator.denseMotion;
  const k = p.numKp;
  const parts = k + 1;
  const x =
    reduction(dense.scaleFactor) === 1
      ? source
      : b.within('down', () => antialias(l, source, 'dense_motion_network.down', reduction(dense.scaleFactor), antialiasKernelSize(dense.scaleFactor)));
  const { c, h, w } = x;
  const grid = b.floats(coordinateGrid(h, w), [1, 1, h, w, 2]);
  const heatmaps = gaussianDifference(l, grid, kps, k, h, w, dense.kpVariance);
  const motions = sparseMotions(l, grid, kps, k, h, w);

  // Eq. 7: the source warped by each candidate motion.
  const repeated = b.op('Reshape', [
    b.op('Concat', Array<Tensor>(parts).fill(b.op('Unsqueeze', [x.t, b.int64s([1])])), { axis: attr.int(1) }),
    b.int64s([-1, c, h, w]),
  ]);
  const grids = b.op('Reshape', [motions, b.int64s([-1, h, w, 2])]);
  const sampled = b.op('GridSample', [repeated, grids], { mode: attr.string('bilinear'), padding_mode: attr.string('zeros'), align_corners: attr.int(1) });
  const warped = b.op('Reshape', [sampled, b.int64s([-1, parts, c, h, w])]);
  const stacked = b.op('Concat', [b.op('Unsqueeze', [heatmaps, b.int64s([2])]), warped], { axis: attr.int(2) });
  const input: Feature = { t: b.op('Reshape', [stacked, b.int64s([-1, parts * (c + 1), h, w])]), c: parts * (c + 1), h, w };

  const prediction = b.within('hourglass', () =>
    hourglass(l, input, 'dense_motion_network.hourglass', dense.blockExpansion, dense.numBlocks, dense.maxFeatures),
  );
  const head = (name: string, out: number) =>
    b.within(name, () => conv(l, prediction.t, plainConvWeights(l, `dense_motion_network.${name}`, [out, prediction.c, 7, 7]), 7, [3, 3, 3, 3]));
  const mask = b.op('Softmax', [head('mask', parts)], { axis: attr.int(1) });
  const weighted = b.op('Mul', [motions, b.op('Unsqueeze', [mask, b.int64s([-1])])]);
  const deformation = b.op('ReduceSum', [weighted, b.int64s([1])], { keepdims: attr.int(0) });
  const occlusion = p.generator.estimateOcclusionMap ? b.op('Sigmoid', [head('occlusion', 1)]) : null;
  return { deformation: { t: deformation, c: 2, h, w }, occlusion };
}

/** Eq. 6: gaussian(driving) − gaussian(source) per keypoint, zeros for the background: [N, K + 1, h, w]. */
function gaussianDifference(l: Layers, grid: Tensor, kps: Keypoints, k: number, h: number, w: number, variance: number): Tensor {
  const { b } = l;
  const gaussian = (value: Tensor) => {
    const diff = b.op('Sub', [grid, b.op('Reshape', [value, b.int64s([-1, k, 1, 1, 2])])]);
    const squared = b.op('ReduceSum', [b.op('Pow', [diff, b.scalar(2)]), b.int64s([-1])], { keepdims: attr.int(0) });
    return b.op('Exp', [b.op('Div', [b.op('Mul', [squared, b.scalar(-0.5)]), b.scalar(variance)])]);
  };
  const difference = b.op('Sub', [gaussian(kps.drivingValue), gaussian(kps.sourceValue)]);
  const background = b.op('Expand', [b.floats(new Float32Array(h * w), [1, 1, h, w]), batchShape(b, kps.drivingValue, [1, h, w])]);
  return b.op('Concat', [background, difference], { axis: attr.int(1) });
}

/** Eq. 4: the K + 1 backward warps, [N, K + 1, h, w, 2] (the background's, the identity, first). */
function sparseMotions(l: Layers, grid: Tensor, kps: Keypoints, k: number, h: number, w: number): Tensor {
  const { b } = l;
  let offset = b.op('Sub', [grid, b.op('Reshape', [kps.drivingValue, b.int64s([-1, k, 1, 1, 2])])]);
  if (kps.sourceJacobian !== null && kps.drivingJacobian !== null) {
    const affine = b.op('MatMul', [kps.sourceJacobian, inverse2x2(b, kps.drivingJacobian, k)]);
    const product = b.op('MatMul', [b.op('Reshape', [affine, b.int64s([-1, k, 1, 1, 2, 2])]), b.op('Unsqueeze', [offset, b.int64s([-1])])]);
    offset = b.op('Squeeze', [product, b.int64s([-1])]);
  }
  const toSource = b.op('Add', [offset, b.op('Reshape', [kps.sourceValue, b.int64s([-1, k, 1, 1, 2])])]);
  const background = b.op('Expand', [grid, batchShape(b, kps.drivingValue, [1, h, w, 2])]);
  return b.op('Concat', [background, toSource], { axis: attr.int(1) });
}
