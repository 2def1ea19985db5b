import { GraphBuilder, type Value } from '../../onnx-builder/graph-builder.js';
import { attr, TensorDataType } from '../../onnx-builder/onnx-types.js';
import type { NamedTensor, WeightMap } from './face-api-weights.js';

/**
 * face-api's tiny face detector (a Tiny YOLO v2 with depthwise-separable convolutions, 5 anchors, one class)
 * as an ONNX graph, built from its published weights — layer for layer what face-api's TinyYolov2Base.runMobilenet
 * computes, so its outputs can be checked against face-api's own (tests/engine/face-detector.test.ts).
 *
 *   input   image  uint8 [N, S, S, 3]  RGB, S a multiple of 32 (the photo fitted in S×S, padded right and bottom with black)
 *   output  grid   float [N, 25, S/32, S/32]  per cell, anchor a's (x, y, w, h, score) logits in channels 5a…5a+4
 *
 * The mean colour subtraction, the /255 and the NHWC → NCHW layout are part of the graph, so the worker feeds
 * ffmpeg's bytes as they come.
 */
export const TINY_FACE_MEAN_RGB = [117.001, 114.697, 97.404] as const;
export const TINY_FACE_ANCHORS: ReadonlyArray<readonly [number, number]> = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
/** Slope of face-api's leaky ReLU (relu(x − 0.1x) + 0.1x). */
const LEAK = 0.10000000149011612;

export function buildTinyFaceGraph(weights: WeightMap): Uint8Array {
  const g = new GraphBuilder('tiny_face_detector');
  const image = g.input('image', ['N', 'S', 'S', 3], TensorDataType.UINT8);
  let x = g.op('Cast', [image], { to: attr.int(TensorDataType.FLOAT) });
  x = g.op('Sub', [x, g.floats([...TINY_FACE_MEAN_RGB], [3])]);
  x = g.op('Div', [x, g.scalar(255)]);
  x = g.op('Transpose', [x], { perm: attr.ints([0, 3, 1, 2]) });
  // conv0: a plain 3×3 convolution without padding ('valid'), then face-api's leaky ReLU.
  x = leaky(g, conv(g, x, need(weights, 'conv0/filters'), need(weights, 'conv0/bias'), 0));
  for (let i = 1; i <= 5; i++) {
    x = pool(g, x, 2);
    x = separable(g, x, weights, `conv${i}`);
  }
  x = pool(g, x, 1);
  const grid = conv(g, x, need(weights, 'conv8/filters'), need(weights, 'conv8/bias'), 0);
  g.output(grid, 'grid', ['N', 25, 'G', 'G']);
  return g.toModel({ producerName: 'marionette', producerVersion: '1', docString: 'face-api tiny face detector', opsetVersion: 13 });
}

function need(weights: WeightMap, name: string): NamedTensor {
  const t = weights.get(name);
  if (!t) throw new Error(`the tiny face detector's weights lack ${name}`);
  return t;
}

/** TensorFlow's max pool 2×2, padding 'same' (ceil(size / stride), padded at the end). */
function pool(g: GraphBuilder, x: Value, stride: number): Value {
  return g.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([stride, stride]), auto_pad: attr.string('SAME_UPPER') });
}

function leaky(g: GraphBuilder, x: Value): Value {
  return g.op('LeakyRelu', [x], { alpha: attr.float(LEAK) });
}

/** TensorFlow's filter [kh, kw, in, out] as ONNX's [out, in, kh, kw]. */
function filterToOnnx(t: NamedTensor): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, cout] = t.shape as [number, number, number, number];
  const out = new Float32Array(t.data.length);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + xx] = t.data[((y * kw + xx) * cin + i) * cout + o]!;
  return { data: out, dims: [cout, cin, kh, kw] };
}

function conv(g: GraphBuilder, x: Value, filter: NamedTensor, bias: NamedTensor | null, pad: number, group = 1): Value {
  const w = filterToOnnx(filter);
  const inputs = [x, g.floats(w.data, w.dims)];
  if (bias) inputs.push(g.floats(bias.data, [bias.data.length]));
  return g.op('Conv', inputs, { pads: attr.ints([pad, pad, pad, pad]), group: attr.int(group) });
}

/** face-api's depthwiseSeparableConv: pad 1, depthwise 3×3, pointwise 1×1, bias, leaky ReLU. */
function separable(g: GraphBuilder, x: Value, weights: WeightMap, name: string): Value {
  const dw = need(weights, `${name}/depthwise_filter`);
  const [kh, kw, channels] = dw.shape as [number, number, number, number];
  // A depthwise filter [kh, kw, C, 1] is a grouped convolution of C groups: as ONNX, [C, 1, kh, kw].
  const depthwise = conv(g, x, { shape: [kh, kw, 1, channels], data: dw.data }, null, 1, channels);
  return leaky(g, conv(g, depthwise, need(weights, `${name}/pointwise_filter`), need(weights, `${name}/bias`), 0));
}
