import { attr } from '../../onnx-builder/onnx-types.js';
import type { Tensor } from '../../onnx-builder/network-builder.js';
import { BATCH_NORM_EPSILON, foldInFloat64 } from './folding.js';
import { WINOGRAD_SPAN, WINOGRAD_TILE, winogradInputTransform, winogradOutputTransform, winogradWeights } from './winograd-math.js';
import { conv, explicitPad, exporterFoldedWeights, plainConvWeights, type Feature, type Layers } from './layers.js';
import { lazyParts } from './lazy-parts.js';

/**
 * The generator's pre-activation residual block (ResBlock2d): x + conv2(relu(norm2(conv1(relu(norm1(x)))))).
 * norm1 stays a BatchNormalization (it normalises the block's input, after no convolution); norm2 is folded into
 * conv1. With Winograd both convolutions are F(4×4, 3×3) (winograd.py), else direct.
 */
export function residualBlock(l: Layers, x: Feature, name: string): Feature {
  const c = x.c;
  const norm1 = ['weight', 'bias', 'running_mean', 'running_var'].map((p) =>
    l.b.weight(`${l.network}.${name}.norm1.${p}`, [c], () => l.weights.values(`${name}.norm1.${p}`)),
  );
  const normalized = l.b.within('norm1', () => l.b.op('BatchNormalization', [x.t, ...norm1], { epsilon: attr.float(BATCH_NORM_EPSILON) }));
  const first = l.b.op('Relu', [normalized]);
  const direct = !l.options.winograd;
  const conv1 = l.b.within('conv1', () =>
    direct
      ? conv(l, first, exporterFoldedWeights(l, `${name}.conv1`, `${name}.norm2`, [c, c, 3, 3]), 3, [1, 1, 1, 1])
      : winogradConv(l, { ...x, t: first }, `${name}.conv1`, `${name}.norm2`),
  );
  const second = l.b.op('Relu', [conv1]);
  const conv2 = l.b.within('conv2', () =>
    direct ? conv(l, second, plainConvWeights(l, `${name}.conv2`, [c, c, 3, 3]), 3, [1, 1, 1, 1]) : winogradConv(l, { ...x, t: second }, `${name}.conv2`, null),
  );
  return { ...x, t: l.b.op('Add', [conv2, x.t]) };
}

/**
 * A 3×3 convolution (stride 1, padding 1; the batch norm `normName` folded in, if given) by Winograd's F(4×4, 3×3):
 * a grouped convolution with fixed 6×6 kernels (stride 4) transforms each overlapping input tile, one MatMul with
 * the transformed weights [36, O, C] does nearly all of the work, a MatMul by the fixed output transform and one
 * DepthToSpace lay the 4×4 output tiles out, then the bias.
 */
function winogradConv(l: Layers, x: Feature, convName: string, normName: string | null): Tensor {
  const { b } = l;
  const { c, h, w } = x;
  const tilesY = Math.ceil(h / WINOGRAD_TILE);
  const tilesX = Math.ceil(w / WINOGRAD_TILE);
  const tiles = tilesY * tilesX;
  const part = lazyParts(['weight', 'bias'], async () => {
    const [weight, bias, norm] = await Promise.all([
      l.weights.values(`${convName}.weight`),
      l.weights.values(`${convName}.bias`),
      normName === null ? Promise.resolve(null) : l.weights.batchNorm(normName),
    ]);
    const folded = foldInFloat64(bias, norm);
    return { weight: winogradWeights(weight, folded.scale, c), bias: folded.bias };
  });
  const span = WINOGRAD_SPAN * WINOGRAD_SPAN;
  const weight = b.weight(`${l.network}.${convName}.winograd_weight`, [span, c, c], part('weight'));
  const bias = b.weight(`${l.network}.${convName}.winograd_bias`, [1, c, 1, 1], part('bias'));
  const inputTransform = b.shared(`winograd.input_transform.${c}`, [c * span, 1, WINOGRAD_SPAN, WINOGRAD_SPAN], () => winogradInputTransform(c));
  const outputTransform = b.shared('winograd.output_transform', [WINOGRAD_TILE * WINOGRAD_TILE, span], winogradOutputTransform);
  // One pixel of zeros before (the convolution's padding); after, enough to complete the last tile.
  const afterY = WINOGRAD_TILE * (tilesY - 1) + WINOGRAD_SPAN - h - 1;
  const afterX = WINOGRAD_TILE * (tilesX - 1) + WINOGRAD_SPAN - w - 1;
  const input = afterY === 1 && afterX === 1 ? x.t : explicitPad(l, x.t, [0, 0, 0, 0, 0, 0, afterY - 1, afterX - 1]);
  const v = conv(l, input, { weight: inputTransform }, WINOGRAD_SPAN, [1, 1, 1, 1], WINOGRAD_TILE, c);
  const transposed = b.op('Transpose', [b.op('Reshape', [v, b.int64s([-1, c, span, tiles])])], { perm: attr.ints([0, 2, 1, 3]) });
  const m = b.op('MatMul', [weight, transposed]);
  const y = b.op('MatMul', [outputTransform, b.op('Reshape', [m, b.int64s([-1, span, c * tiles])])]);
  const tilesImage = b.op('Reshape', [y, b.int64s([-1, WINOGRAD_TILE * WINOGRAD_TILE * c, tilesY, tilesX])]);
  let out = b.op('DepthToSpace', [tilesImage], { blocksize: attr.int(WINOGRAD_TILE), mode: attr.string('DCR') });
  if (WINOGRAD_TILE * tilesY !== h || WINOGRAD_TILE * tilesX !== w) {
    out = b.op('Slice', [out, b.int64s([0, 0]), b.int64s([h, w]), b.int64s([2, 3])]);
  }
  return b.op('Add', [out, bias]);
}
