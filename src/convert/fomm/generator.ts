import { NetworkBuilder, type Tensor } from '../../onnx-builder/network-builder.js';
import { attr } from '../../onnx-builder/onnx-types.js';
import { denseMotion, type Keypoints } from './dense-motion.js';
import { batchShape } from './geometry.js';
import { conv, downBlock, plainConvWeights, sameBlock, upBlock, type Feature, type GraphOptions, type Layers } from './layers.js';
import { widthAt, type FommConfig } from './model-params.js';
import type { NetworkWeights } from './network-weights.js';
import { residualBlock } from './residual.js';

export interface GeneratorOptions extends GraphOptions {
  /** The source may be one image ([1, 3, H, W]) for a batch of N driving keypoints: encoded once, then broadcast. */
  readonly sharedSource: boolean;
}

/**
 * FOMM's occlusion-aware generator (generator.py) as an ONNX graph in the model-folder contract: source, the
 * source's and the driving frame's keypoints → prediction [N, 3, H, W]. The encoder's features are warped by
 * the dense motion network's deformation, dimmed where it predicts occlusion, and decoded by the residual
 * bottleneck and the up-sampling blocks; a 7×7 convolution and a sigmoid give RGB in 0..1. Node scopes follow
 * the official modules (first, down_blocks.i, …), which is what the mixed-precision rewrite selects by.
 */
export function buildGenerator(config: FommConfig, weights: NetworkWeights, options: GeneratorOptions): NetworkBuilder {
  const b = new NetworkBuilder('marionette_generator');
  const l: Layers = { b, weights, network: 'generator', options };
  const p = config.params;
  const g = p.generator;
  const k = p.numKp;
  const size = { c: p.numChannels, h: config.height, w: config.width };
  const source = b.input('source', [options.sharedSource ? 'S' : 'N', p.numChannels, config.height, config.width]);
  const jacobians = p.estimateJacobian;
  const kps: Keypoints = {
    sourceValue: b.input('kp_source_value', ['N', k, 2]),
    sourceJacobian: jacobianInput(b, 'kp_source_jacobian', k, jacobians),
    drivingValue: b.input('kp_driving_value', ['N', k, 2]),
    drivingJacobian: jacobianInput(b, 'kp_driving_jacobian', k, jacobians),
  };

  let features = b.within('first', () => sameBlock(l, { ...size, t: source }, 'first', g.blockExpansion, 7, 3));
  for (let i = 0; i < g.numDownBlocks; i++) {
    const out = widthAt(g.blockExpansion, g.maxFeatures, i + 1);
    const input = features;
    features = b.within(`down_blocks.${i}`, () => downBlock(l, input, `down_blocks.${i}`, out));
  }
  let image: Feature = { ...size, t: source };
  if (options.sharedSource) {
    // One source for the whole batch: its features (and the image) broadcast to the driving keypoints' N.
    const batch = batchShape(b, kps.drivingValue, [1, 1, 1]);
    features = { ...features, t: b.op('Expand', [features.t, batch]) };
    image = { ...image, t: b.op('Expand', [source, batch]) };
  }
  const motion = b.within('dense_motion_network', () => denseMotion(l, image, kps, p));
  let out: Feature = { ...features, t: warp(b, features, motion.deformation) };
  if (motion.occlusion !== null) {
    const occlusion = resizeBilinear(b, { t: motion.occlusion, c: 1, h: motion.deformation.h, w: motion.deformation.w }, out.h, out.w);
    out = { ...out, t: b.op('Mul', [out.t, occlusion]) };
  }
  b.within('bottleneck', () => {
    for (let i = 0; i < g.numBottleneckBlocks; i++) {
      const input = out;
      out = b.within(`r${i}`, () => residualBlock(l, input, `bottleneck.r${i}`));
    }
  });
  for (let i = 0; i < g.numDownBlocks; i++) {
    const input = out;
    out = b.within(`up_blocks.${i}`, () => upBlock(l, input, `up_blocks.${i}`, widthAt(g.blockExpansion, g.maxFeatures, g.numDownBlocks - i - 1)));
  }
  const final = b.within('final', () => conv(l, out.t, plainConvWeights(l, 'final', [p.numChannels, out.c, 7, 7]), 7, [3, 3, 3, 3]));
  b.output(b.op('Sigmoid', [final]), 'prediction', ['N', p.numChannels, config.height, config.width]);
  return b;
}

/** A jacobian input; declared even when a zero-order model ignores it (the contract has five inputs). */
function jacobianInput(b: NetworkBuilder, name: string, k: number, used: boolean): Tensor | null {
  const input = b.input(name, ['N', k, 2, 2]);
  return used ? input : null;
}

/** Backward-warps features [N, C, H, W] by a grid [N, h, w, 2], resized to H×W first if it differs. */
function warp(b: NetworkBuilder, features: Feature, deformation: Feature): Tensor {
  let grid = deformation.t;
  if (deformation.h !== features.h || deformation.w !== features.w) {
    const channelsFirst = b.op('Transpose', [grid], { perm: attr.ints([0, 3, 1, 2]) });
    const resized = resizeBilinear(b, { ...deformation, t: channelsFirst }, features.h, features.w);
    grid = b.op('Transpose', [resized], { perm: attr.ints([0, 2, 3, 1]) });
  }
  return b.op('GridSample', [features.t, grid], { mode: attr.string('bilinear'), padding_mode: attr.string('zeros'), align_corners: attr.int(1) });
}

/** Bilinear resize with constant scales, half-pixel centres (F.interpolate's align_corners=False, as trained). */
function resizeBilinear(b: NetworkBuilder, x: Feature, height: number, width: number): Tensor {
  if (x.h === height && x.w === width) return x.t;
  const scales = b.floats([1, 1, height / x.h, width / x.w], [4]);
  return b.op('Resize', [x.t, '' as Tensor, scales], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('half_pixel') });
}
