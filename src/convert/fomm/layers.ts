import { attr } from '../../onnx-builder/onnx-types.js';
import type { NetworkBuilder, Tensor } from '../../onnx-builder/network-builder.js';
import { foldInFloat64, foldLikeExporter, PHASES, subpixelKernels } from './folding.js';
import { lazyParts } from './lazy-parts.js';
import type { NetworkWeights } from './network-weights.js';

/** How the networks are written: with the inference rewrites (the default) or layer for layer (--plain). */
export interface GraphOptions {
  readonly rewrites: boolean;
  /** How a sub-pixel up-sampling block interleaves its four phases. */
  readonly interleave: 'stack' | 'depth-to-space';
  /** The generator's residual blocks by Winograd F(4×4, 3×3). */
  readonly winograd: boolean;
}

/** What the layers share: the graph, the network's weights, the prefix of its initializers' names, the options. */
export interface Layers {
  readonly b: NetworkBuilder;
  readonly weights: NetworkWeights;
  readonly network: string;
  readonly options: GraphOptions;
}

/** A feature map [N, c, h, w] with its sizes, which the reshapes and the Winograd tiles need. */
export interface Feature {
  readonly t: Tensor;
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

export interface ConvWeights {
  readonly weight: Tensor;
  readonly bias?: Tensor;
}

/** Pads [top, left, bottom, right]. */
export type Pads = readonly [number, number, number, number];

export function conv(l: Layers, x: Tensor, weights: ConvWeights, kernel: number, pads: Pads, stride = 1, group = 1): Tensor {
  const inputs = weights.bias === undefined ? [x, weights.weight] : [x, weights.weight, weights.bias];
  return l.b.op('Conv', inputs, {
    kernel_shape: attr.ints([kernel, kernel]),
    pads: attr.ints([pads[0], pads[1], pads[2], pads[3]]),
    strides: attr.ints([stride, stride]),
    dilations: attr.ints([1, 1]),
    group: attr.int(group),
  });
}

/** A convolution's weight and bias as the checkpoint has them. */
export function plainConvWeights(l: Layers, name: string, dims: readonly number[]): ConvWeights {
  return {
    weight: l.b.weight(`${l.network}.${name}.weight`, dims, () => l.weights.values(`${name}.weight`)),
    bias: l.b.weight(`${l.network}.${name}.bias`, [dims[0]!], () => l.weights.values(`${name}.bias`)),
  };
}

/** `name.conv` with `name.norm` folded in, as PyTorch's exporter folds them (float32). */
export function exporterFoldedWeights(l: Layers, convName: string, normName: string, dims: readonly number[]): ConvWeights {
  const part = lazyParts(['weight', 'bias'], async () => {
    const [weight, bias, norm] = await Promise.all([
      l.weights.values(`${convName}.weight`),
      l.weights.values(`${convName}.bias`),
      l.weights.batchNorm(normName),
    ]);
    return foldLikeExporter(weight, bias, norm);
  });
  return {
    weight: l.b.weight(`${l.network}.${convName}.weight_folded`, dims, part('weight')),
    bias: l.b.weight(`${l.network}.${convName}.bias_folded`, [dims[0]!], part('bias')),
  };
}

/** conv → batch norm → ReLU at constant resolution (SameBlock2d); `pad` on every side. */
export function sameBlock(l: Layers, x: Feature, name: string, out: number, kernel: number, pad: number): Feature {
  const weights = exporterFoldedWeights(l, `${name}.conv`, `${name}.norm`, [out, x.c, kernel, kernel]);
  const y = l.b.within('conv', () => conv(l, x.t, weights, kernel, [pad, pad, pad, pad]));
  return { ...x, t: l.b.op('Relu', [y]), c: out };
}

/** conv → batch norm → ReLU → 2×2 average pooling (DownBlock2d). */
export function downBlock(l: Layers, x: Feature, name: string, out: number): Feature {
  const same = sameBlock(l, x, name, out, 3, 1);
  const pooled = l.b.within('pool', () => l.b.op('AveragePool', [same.t], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
  return { t: pooled, c: out, h: x.h / 2, w: x.w / 2 };
}

/** Nearest 2× up-sampling → conv → batch norm → ReLU (UpBlock2d): four 2×2 convolutions with the rewrites, else as written. */
export function upBlock(l: Layers, x: Feature, name: string, out: number): Feature {
  if (l.options.rewrites) return subpixelUpBlock(l, x, name, out);
  const scales = l.b.floats([1, 1, 2, 2], [4]);
  const up = l.b.op('Resize', [x.t, '' as Tensor, scales], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
  const weights = exporterFoldedWeights(l, `${name}.conv`, `${name}.norm`, [out, x.c, 3, 3]);
  const y = l.b.within('conv', () => conv(l, up, weights, 3, [1, 1, 1, 1]));
  return { t: l.b.op('Relu', [y]), c: out, h: 2 * x.h, w: 2 * x.w };
}

/**
 * UpBlock2d at the input's resolution (inference_rewrites.SubpixelUpBlock2d): output pixel (2i + a, 2j + b)
 * is a 2×2 convolution of the input around (i, j) with taps summed from the 3×3 kernel, the batch norm folded
 * in (float64). Phase (a, b) pads the side it reaches over; the phase padded only after its data keeps an
 * explicit Pad (onnxruntime's WebGPU convolution ignores trailing pads when the input is as small as the kernel).
 */
function subpixelUpBlock(l: Layers, x: Feature, name: string, out: number): Feature {
  const part = lazyParts(['p0', 'p1', 'p2', 'p3', 'bias'], async () => {
    const [weight, bias, norm] = await Promise.all([
      l.weights.values(`${name}.conv.weight`),
      l.weights.values(`${name}.conv.bias`),
      l.weights.batchNorm(`${name}.norm`),
    ]);
    const folded = foldInFloat64(bias, norm);
    const [p0, p1, p2, p3] = subpixelKernels(weight, folded.scale, x.c);
    return { p0: p0!, p1: p1!, p2: p2!, p3: p3!, bias: folded.bias };
  });
  const bias = l.b.weight(`${l.network}.${name}.bias_folded`, [out], part('bias'));
  const phases = PHASES.map(([a, b], i) => {
    const kernel = l.b.weight(`${l.network}.${name}.phase${i}`, [out, x.c, 2, 2], part(`p${i}` as 'p0'));
    const pads: Pads = [1 - a, 1 - b, a, b];
    if (pads[0] === 0 && pads[1] === 0) {
      const padded = explicitPad(l, x.t, [0, 0, 0, 0, 0, 0, pads[2], pads[3]]);
      return conv(l, padded, { weight: kernel, bias }, 2, [0, 0, 0, 0]);
    }
    return conv(l, x.t, { weight: kernel, bias }, 2, pads);
  });
  let interleaved: Tensor;
  if (l.options.interleave === 'depth-to-space') {
    const stacked = l.b.op('Concat', phases, { axis: attr.int(1) });
    interleaved = l.b.op('DepthToSpace', [stacked], { blocksize: attr.int(2), mode: attr.string('DCR') });
  } else {
    // [N, C, H, W, 2 (b)] per row phase, then [N, C, H, 2 (a), W, 2 (b)], which is the interleaved image.
    const last = l.b.int64s([-1]);
    const rows = [0, 2].map((i) =>
      l.b.op('Concat', [l.b.op('Unsqueeze', [phases[i]!, last]), l.b.op('Unsqueeze', [phases[i + 1]!, last])], { axis: attr.int(-1) }),
    );
    const axis3 = l.b.int64s([3]);
    const both = l.b.op('Concat', [l.b.op('Unsqueeze', [rows[0]!, axis3]), l.b.op('Unsqueeze', [rows[1]!, axis3])], { axis: attr.int(3) });
    interleaved = l.b.op('Reshape', [both, l.b.int64s([-1, out, 2 * x.h, 2 * x.w])]);
  }
  return { t: l.b.op('Relu', [interleaved]), c: out, h: 2 * x.h, w: 2 * x.w };
}

/**
 * A zero Pad that stays a node of its own, as PyTorch exports F.pad: with an omitted constant_value as the third
 * input, which onnxruntime's Pad fusion does not fold into the next convolution (it fuses a Pad whose inputs are all
 * initializers). Folded, the WebGPU provider's NHWC convolution would ignore the trailing pads at the hourglasses'
 * 2×2 level (see subpixelUpBlock); tests/convert/vox-model.test.ts runs the full-size networks there.
 */
export function explicitPad(l: Layers, x: Tensor, pads: readonly number[]): Tensor {
  return l.b.op('Pad', [x, l.b.int64s(pads), '' as Tensor], { mode: attr.string('constant') });
}

/**
 * Band-limited down-sampling by 1/n (AntiAliasDownsample): a depthwise Gaussian blur (the checkpoint's `weight`
 * buffer) evaluated only at the pixels kept (a stride-n convolution) with the rewrites, else at every pixel and
 * then every n-th taken.
 */
export function antialias(l: Layers, x: Feature, name: string, step: number, size: number): Feature {
  const weight = l.b.weight(`${l.network}.${name}.weight`, [x.c, 1, size, size], () => l.weights.values(`${name}.weight`));
  const pad = Math.floor(size / 2);
  const out = { c: x.c, h: Math.ceil(x.h / step), w: Math.ceil(x.w / step) };
  if (l.options.rewrites) return { ...out, t: conv(l, x.t, { weight }, size, [pad, pad, pad, pad], step, x.c) };
  const blurred = conv(l, x.t, { weight }, size, [pad, pad, pad, pad], 1, x.c);
  const t = l.b.op('Slice', [blurred, l.b.int64s([0, 0]), l.b.int64s([x.h, x.w]), l.b.int64s([2, 3]), l.b.int64s([step, step])]);
  return { ...out, t };
}
