import { attr } from '../onnx-builder/onnx-types.js';
import { GraphBuilder, type Value } from '../onnx-builder/graph-builder.js';
import { foreground, linspace } from './foreground.js';
import { ops } from './graph-helpers.js';

/**
 * The demo generator: first-order motion of one object, occlusion-aware.
 *   1. Affine backward warp, FOMM's first-order approximation around one keypoint:
 *        T(z) = kp_source + J_source · J_driving⁻¹ · (z − kp_driving)
 *      (2×2 inverse in closed form).
 *   2. The object (the source's foreground, as premultiplied colour + alpha) is
 *      sampled through T with grid_sample (bilinear, align_corners=True).
 *   3. Where the object used to be, the source is occluded: that hole is filled
 *      with the background colour; the warped object is composited over it.
 */
const DET_FLOOR = 1e-8;

export function buildGeneratorGraph(height: number, width: number): GraphBuilder {
  const g = new GraphBuilder('marionette_demo_generator');
  const o = ops(g);
  const source = g.input('source', ['N', 3, height, width]);
  const kpS = g.input('kp_source_value', ['N', 1, 2]);
  const jacS = g.input('kp_source_jacobian', ['N', 1, 2, 2]);
  const kpD = g.input('kp_driving_value', ['N', 1, 2]);
  const jacD = g.input('kp_driving_jacobian', ['N', 1, 2, 2]);

  const entries = (jac: Value): Value[] => g.opN('Split', [o.reshape(jac, [-1, 4]), g.int64s([1, 1, 1, 1])], 4, { axis: attr.int(1) });
  const [s00, s01, s10, s11] = entries(jacS) as [Value, Value, Value, Value];
  const [a, b, c, d] = entries(jacD) as [Value, Value, Value, Value];
  const rawDet = o.sub(o.mul(a, d), o.mul(b, c));
  const det = o.where(o.lt(o.abs(rawDet), DET_FLOOR), DET_FLOOR, rawDet);
  // A = J_s · J_d⁻¹ with J_d⁻¹ = [[d, −b], [−c, a]] / det.
  const a00 = o.div(o.sub(o.mul(s00, d), o.mul(s01, c)), det);
  const a01 = o.div(o.sub(o.mul(s01, a), o.mul(s00, b)), det);
  const a10 = o.div(o.sub(o.mul(s10, d), o.mul(s11, c)), det);
  const a11 = o.div(o.sub(o.mul(s11, a), o.mul(s10, b)), det);
  const aTransposed = o.reshape(o.concat([a00, a10, a01, a11], 1), [-1, 2, 2]);

  const xs = linspace(width);
  const ys = linspace(height);
  const grid = new Float32Array(height * width * 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      grid[(y * width + x) * 2] = xs[x]!;
      grid[(y * width + x) * 2 + 1] = ys[y]!;
    }
  }
  const z = g.floats(grid, [1, height * width, 2], 'identity_grid');
  const offsets = o.sub(z, kpD); // [N, HW, 2]
  const sampling = o.add(g.op('MatMul', [offsets, aTransposed]), kpS);
  const samplingGrid = o.reshape(sampling, [-1, height, width, 2]);

  const { background, weight } = foreground(o, source, height, width);
  const premultiplied = o.concat([o.mul(source, weight), weight], 1); // [N,4,H,W]
  const warped = g.op('GridSample', [premultiplied, samplingGrid], {
    align_corners: attr.int(1),
    mode: attr.string('bilinear'),
    padding_mode: attr.string('zeros'),
  });
  const [warpedColour, warpedAlpha] = g.opN('Split', [warped, g.int64s([3, 1])], 2, { axis: attr.int(1) }) as [Value, Value];
  const uncovered = o.add(o.mul(source, o.sub(1, weight)), o.mul(background, weight));
  const prediction = o.clip(o.add(warpedColour, o.mul(uncovered, o.sub(1, warpedAlpha))), 0, 1);
  g.output(prediction, 'prediction', ['N', 3, height, width]);
  return g;
}
