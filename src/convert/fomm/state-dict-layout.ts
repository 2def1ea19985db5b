import { reduction, widthAt, type ModelParams } from './model-params.js';

/**
 * The weights each network of a config has, by name and shape, in the order of PyTorch's state_dict() for the
 * official modules (a module's parameters, then its buffers, then its children in the order they were made):
 * what a checkpoint must hold, and the order in which the first mismatch is named.
 */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** BatchNorm's batch counter, absent from checkpoints older than PyTorch 0.4.1 and unused at inference. */
  readonly optional?: true;
}

type Specs = WeightSpec[];

function conv(prefix: string, out: number, inputs: number, kernel: number): Specs {
  return [
    { name: `${prefix}.weight`, shape: [out, inputs, kernel, kernel] },
    { name: `${prefix}.bias`, shape: [out] },
  ];
}

function norm(prefix: string, features: number): Specs {
  return [
    ...['weight', 'bias', 'running_mean', 'running_var'].map((p) => ({ name: `${prefix}.${p}`, shape: [features] })),
    { name: `${prefix}.num_batches_tracked`, shape: [], optional: true },
  ];
}

/** conv then norm: SameBlock2d, DownBlock2d and UpBlock2d. */
function convBlock(prefix: string, inputs: number, out: number, kernel = 3): Specs {
  return [...conv(`${prefix}.conv`, out, inputs, kernel), ...norm(`${prefix}.norm`, out)];
}

/** The channels of an hourglass's encoder and decoder blocks (blocks.py). */
export function hourglassWidths(blockExpansion: number, inFeatures: number, numBlocks: number, maxFeatures: number) {
  const hw = (level: number) => widthAt(blockExpansion, maxFeatures, level);
  const down = Array.from({ length: numBlocks }, (_, i) => ({ inputs: i === 0 ? inFeatures : hw(i), out: hw(i + 1) }));
  const up = Array.from({ length: numBlocks }, (_, j) => {
    const i = numBlocks - 1 - j;
    return { inputs: (i === numBlocks - 1 ? 1 : 2) * hw(i + 1), out: hw(i) };
  });
  return { down, up, outFilters: blockExpansion + inFeatures };
}

function hourglass(prefix: string, blockExpansion: number, inFeatures: number, numBlocks: number, maxFeatures: number): Specs {
  const widths = hourglassWidths(blockExpansion, inFeatures, numBlocks, maxFeatures);
  return [
    ...widths.down.flatMap((w, i) => convBlock(`${prefix}.encoder.down_blocks.${i}`, w.inputs, w.out)),
    ...widths.up.flatMap((w, i) => convBlock(`${prefix}.decoder.up_blocks.${i}`, w.inputs, w.out)),
  ];
}

/** The side of the anti-alias blur for a scale factor (Python's round: half to even, as the training code). */
export function antialiasKernelSize(scaleFactor: number): number {
  const sigma = (1 / scaleFactor - 1) / 2;
  return 2 * roundHalfEven(sigma * 4) + 1;
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function antialias(prefix: string, channels: number, scaleFactor: number): Specs {
  if (reduction(scaleFactor) === 1) return [];
  const size = antialiasKernelSize(scaleFactor);
  return [{ name: `${prefix}.weight`, shape: [channels, 1, size, size] }];
}

export function kpDetectorLayout(p: ModelParams): Specs {
  const kp = p.kpDetector;
  const outFilters = kp.blockExpansion + p.numChannels;
  const maps = kp.singleJacobianMap ? 1 : p.numKp;
  return [
    ...hourglass('predictor', kp.blockExpansion, p.numChannels, kp.numBlocks, kp.maxFeatures),
    ...conv('kp', p.numKp, outFilters, 7),
    ...(p.estimateJacobian ? conv('jacobian', 4 * maps, outFilters, 7) : []),
    ...antialias('down', p.numChannels, kp.scaleFactor),
  ];
}

export function generatorLayout(p: ModelParams): Specs {
  const g = p.generator;
  const dense = g.denseMotion;
  const denseIn = (p.numKp + 1) * (p.numChannels + 1);
  const denseOut = dense.blockExpansion + denseIn;
  const width = (level: number) => widthAt(g.blockExpansion, g.maxFeatures, level);
  const levels = Array.from({ length: g.numDownBlocks }, (_, i) => i);
  const bottleneck = width(g.numDownBlocks);
  return [
    ...hourglass('dense_motion_network.hourglass', dense.blockExpansion, denseIn, dense.numBlocks, dense.maxFeatures),
    ...conv('dense_motion_network.mask', p.numKp + 1, denseOut, 7),
    ...(g.estimateOcclusionMap ? conv('dense_motion_network.occlusion', 1, denseOut, 7) : []),
    ...antialias('dense_motion_network.down', p.numChannels, dense.scaleFactor),
    ...convBlock('first', p.numChannels, g.blockExpansion, 7),
    ...levels.flatMap((i) => convBlock(`down_blocks.${i}`, width(i), width(i + 1))),
    ...levels.flatMap((i) => convBlock(`up_blocks.${i}`, width(g.numDownBlocks - i), width(g.numDownBlocks - i - 1))),
    ...Array.from({ length: g.numBottleneckBlocks }, (_, i) => [
      ...conv(`bottleneck.r${i}.conv1`, bottleneck, bottleneck, 3),
      ...conv(`bottleneck.r${i}.conv2`, bottleneck, bottleneck, 3),
      ...norm(`bottleneck.r${i}.norm1`, bottleneck),
      ...norm(`bottleneck.r${i}.norm2`, bottleneck),
    ]).flat(),
    ...conv('final', p.numChannels, g.blockExpansion, 7),
  ];
}
