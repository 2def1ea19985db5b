import { NetworkBuilder } from '../../onnx-builder/network-builder.js';
import { attr } from '../../onnx-builder/onnx-types.js';
import { batchShape, coordinateGrid } from './geometry.js';
import { hourglass } from './hourglass.js';
import { antialias, conv, plainConvWeights, type Feature, type GraphOptions, type Layers } from './layers.js';
import { reduction, type FommConfig } from './model-params.js';
import type { NetworkWeights } from './network-weights.js';
import { antialiasKernelSize } from './state-dict-layout.js';

/**
 * FOMM's keypoint detector (keypoint_detector.py) as an ONNX graph in the model-folder contract:
 * source [N, 3, H, W] → kp_value [N, K, 2], kp_jacobian [N, K, 2, 2]. An hourglass predicts one heatmap per
 * keypoint; a softmax with temperature makes each a distribution whose mean is the keypoint, and the jacobian
 * head's four maps per keypoint (or one set for all) are averaged under it. A detector without jacobians gives
 * identity ones (the contract's).
 */
export function buildKeypointDetector(config: FommConfig, weights: NetworkWeights, options: GraphOptions): NetworkBuilder {
  const b = new NetworkBuilder('marionette_kp_detector');
  const l: Layers = { b, weights, network: 'kp_detector', options };
  const p = config.params;
  const k = p.numKp;
  let x: Feature = { t: b.input('source', ['N', p.numChannels, config.height, config.width]), c: p.numChannels, h: config.height, w: config.width };
  if (reduction(p.kpDetector.scaleFactor) !== 1) {
    x = b.within('down', () => antialias(l, x, 'down', reduction(p.kpDetector.scaleFactor), antialiasKernelSize(p.kpDetector.scaleFactor)));
  }
  const features = b.within('predictor', () => hourglass(l, x, 'predictor', p.kpDetector.blockExpansion, p.kpDetector.numBlocks, p.kpDetector.maxFeatures));
  const pad = p.kpDetector.pad;
  const head = (name: string, out: number) =>
    b.within(name, () => conv(l, features.t, plainConvWeights(l, name, [out, features.c, 7, 7]), 7, [pad, pad, pad, pad]));
  const h = features.h + 2 * pad - 6;
  const w = features.w + 2 * pad - 6;

  const logits = b.op('Reshape', [head('kp', k), b.int64s([-1, k, h * w])]);
  const softmax = b.op('Softmax', [b.op('Div', [logits, b.scalar(p.kpDetector.temperature)])], { axis: attr.int(2) });
  const heatmap = b.op('Reshape', [softmax, b.int64s([-1, k, h, w])]);
  const grid = b.floats(coordinateGrid(h, w), [1, 1, h, w, 2]);
  const weighted = b.op('Mul', [b.op('Unsqueeze', [heatmap, b.int64s([-1])]), grid]);
  const value = b.op('ReduceSum', [weighted, b.int64s([2, 3])], { keepdims: attr.int(0) });

  let jacobian;
  if (p.estimateJacobian) {
    const maps = p.kpDetector.singleJacobianMap ? 1 : k;
    const jacobianMaps = b.op('Reshape', [head('jacobian', 4 * maps), b.int64s([-1, maps, 4, h, w])]);
    const products = b.op('Mul', [b.op('Unsqueeze', [heatmap, b.int64s([2])]), jacobianMaps]);
    const sums = b.op('ReduceSum', [b.op('Reshape', [products, b.int64s([-1, k, 4, h * w])]), b.int64s([-1])], { keepdims: attr.int(0) });
    jacobian = b.op('Reshape', [sums, b.int64s([-1, k, 2, 2])]);
  } else {
    jacobian = b.op('Expand', [b.floats([1, 0, 0, 1], [1, 1, 2, 2]), batchShape(b, value, [k, 2, 2])]);
  }
  b.output(value, 'kp_value', ['N', k, 2]);
  b.output(jacobian, 'kp_jacobian', ['N', k, 2, 2]);
  return b;
}
