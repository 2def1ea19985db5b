import type { TrainingFraming } from '../engine/model/manifest.js';
import { FOMM_256, FOMM_256_SINGLE_JACOBIAN, type ModelParams } from './fomm/model-params.js';

/**
 * The config names the converter knows without a YAML file, one row each: the published checkpoint's file name,
 * what it was trained on, the manifest's description and the published model_params of the official
 * config/<name>-256.yaml (all 256×256). The Python converter's configs.py carries the same (a test keeps the
 * names, the manifests and the weights' layouts in step).
 */
export const BUILTIN_CONFIGS = ['vox', 'vox-adv', 'taichi', 'taichi-adv', 'mgif', 'fashion', 'bair', 'nemo'] as const;
export type BuiltinConfig = (typeof BUILTIN_CONFIGS)[number];

export interface PublishedModel {
  readonly checkpoint: string;
  readonly trainedOn: string;
  readonly description: string;
  /** How the training videos were framed (the manifest's framing; Python: manifest.py TRAINING_FRAMING). */
  readonly framing: TrainingFraming;
  readonly modelParams: ModelParams;
}

export const PUBLISHED_MODELS: Readonly<Record<BuiltinConfig, PublishedModel>> = {
  vox: {
    checkpoint: 'vox-cpk.pth.tar',
    trainedOn: 'VoxCeleb talking-head videos',
    description: 'FOMM for faces: animates a head-and-shoulders portrait with a talking-head video (both cropped to the head).',
    framing: 'face',
    modelParams: FOMM_256,
  },
  'vox-adv': {
    checkpoint: 'vox-adv-cpk.pth.tar',
    trainedOn: 'VoxCeleb talking-head videos (with an adversarial loss)',
    description: 'FOMM for faces, adversarially fine-tuned: sharper details than vox; animates a portrait with a talking-head video.',
    framing: 'face',
    modelParams: FOMM_256,
  },
  taichi: {
    checkpoint: 'taichi-cpk.pth.tar',
    trainedOn: 'Tai-Chi-HD: YouTube tai chi videos of whole bodies',
    description: 'FOMM for full bodies: animates a standing person with a video of someone moving (tai chi, dance).',
    framing: 'whole',
    modelParams: FOMM_256,
  },
  'taichi-adv': {
    checkpoint: 'taichi-adv-cpk.pth.tar',
    trainedOn: 'Tai-Chi-HD: YouTube tai chi videos of whole bodies (with an adversarial loss)',
    description: 'FOMM for full bodies, adversarially fine-tuned: animates a standing person with a video of someone moving.',
    framing: 'whole',
    modelParams: FOMM_256,
  },
  mgif: {
    checkpoint: 'mgif-cpk.pth.tar',
    trainedOn: 'MGif: GIFs of cartoon animals',
    description: 'FOMM for cartoons: animates a drawn animal or character on a plain background with a cartoon GIF.',
    framing: 'whole',
    modelParams: FOMM_256_SINGLE_JACOBIAN,
  },
  fashion: {
    checkpoint: 'fashion.pth.tar',
    trainedOn: 'Fashion: catwalk videos of dressed models',
    description: 'FOMM for fashion: animates a full-length photo of a dressed person with a model turning and posing.',
    framing: 'whole',
    modelParams: FOMM_256,
  },
  bair: {
    checkpoint: 'bair-cpk.pth.tar',
    trainedOn: 'BAIR robot pushing videos',
    description: 'FOMM for robot arms: animates a frame of a robot-pushing scene.',
    framing: 'whole',
    modelParams: FOMM_256,
  },
  nemo: {
    checkpoint: 'nemo-cpk.pth.tar',
    trainedOn: 'UvA-NEMO smiling faces',
    description: 'FOMM for frontal faces trained on smiles: animates a face photo with a smile video.',
    framing: 'face',
    modelParams: FOMM_256,
  },
};

/** The published checkpoints are 256×256. */
export const PUBLISHED_FRAME_SIZE = 256;

export const OFFICIAL_REPO = 'https://github.com/AliaksandrSiarohin/first-order-model';

export const OFFICIAL_LICENSE =
  'CC BY-NC 4.0 (non-commercial): weights by Siarohin et al., released with github.com/AliaksandrSiarohin/first-order-model while that repository ' +
  'was under this license (its code has been MIT since 2023; the checkpoints were not relicensed separately, and their training videos carry ' +
  'research-only terms)';

export function isBuiltinConfig(name: string): name is BuiltinConfig {
  return (BUILTIN_CONFIGS as readonly string[]).includes(name);
}
