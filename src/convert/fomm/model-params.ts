/**
 * A FOMM config's `model_params` (the official YAML's, in camelCase): they fix the architecture, and so every
 * weight's name and shape. The published 256×256 configs all share FOMM_256 (mgif: one jacobian map for all
 * keypoints).
 */
export interface ModelParams {
  readonly numKp: number;
  readonly numChannels: number;
  readonly estimateJacobian: boolean;
  readonly kpDetector: {
    readonly temperature: number;
    readonly blockExpansion: number;
    readonly maxFeatures: number;
    readonly numBlocks: number;
    readonly scaleFactor: number;
    readonly singleJacobianMap: boolean;
    readonly pad: number;
  };
  readonly generator: {
    readonly blockExpansion: number;
    readonly maxFeatures: number;
    readonly numDownBlocks: number;
    readonly numBottleneckBlocks: number;
    readonly estimateOcclusionMap: boolean;
    readonly denseMotion: {
      readonly blockExpansion: number;
      readonly maxFeatures: number;
      readonly numBlocks: number;
      readonly scaleFactor: number;
      readonly kpVariance: number;
    };
  };
}

/** The model_params of the official config/<name>-256.yaml files (vox, vox-adv, taichi, taichi-adv, fashion, bair, nemo). */
export const FOMM_256: ModelParams = {
  numKp: 10,
  numChannels: 3,
  estimateJacobian: true,
  kpDetector: { temperature: 0.1, blockExpansion: 32, maxFeatures: 1024, numBlocks: 5, scaleFactor: 0.25, singleJacobianMap: false, pad: 0 },
  generator: {
    blockExpansion: 64,
    maxFeatures: 512,
    numDownBlocks: 2,
    numBottleneckBlocks: 6,
    estimateOcclusionMap: true,
    denseMotion: { blockExpansion: 64, maxFeatures: 1024, numBlocks: 5, scaleFactor: 0.25, kpVariance: 0.01 },
  },
};

/** mgif-256.yaml: FOMM_256 with one jacobian map shared by all keypoints. */
export const FOMM_256_SINGLE_JACOBIAN: ModelParams = { ...FOMM_256, kpDetector: { ...FOMM_256.kpDetector, singleJacobianMap: true } };

/** A config: the architecture and the frame size its networks take. */
export interface FommConfig {
  /** The built-in name, or a YAML file's name. */
  readonly label: string;
  readonly params: ModelParams;
  readonly width: number;
  readonly height: number;
}

/** Channels after `level` halvings of an hourglass or the generator's encoder. */
export function widthAt(blockExpansion: number, maxFeatures: number, level: number): number {
  return Math.min(maxFeatures, blockExpansion * 2 ** level);
}

/** How many frame pixels make one map pixel for a scale factor of 1/n. */
export function reduction(scaleFactor: number): number {
  return Math.round(1 / scaleFactor);
}

/**
 * The official snake_case `model_params` (as a YAML or JSON document holds them) → ModelParams, with the
 * constructors' defaults. Checks only what the graphs rely on; the Python converter validates YAML files for users.
 */
export function fromOfficialModelParams(raw: unknown): ModelParams {
  const doc = record(raw, 'model_params');
  const common = record(doc['common_params'], 'common_params');
  const kp = record(doc['kp_detector_params'], 'kp_detector_params');
  const gen = record(doc['generator_params'], 'generator_params');
  const dense = record(gen['dense_motion_params'], 'dense_motion_params');
  return {
    numKp: num(common, 'num_kp'),
    numChannels: num(common, 'num_channels'),
    estimateJacobian: flag(common, 'estimate_jacobian'),
    kpDetector: {
      temperature: num(kp, 'temperature'),
      blockExpansion: num(kp, 'block_expansion'),
      maxFeatures: num(kp, 'max_features'),
      numBlocks: num(kp, 'num_blocks'),
      scaleFactor: num(kp, 'scale_factor', 1),
      singleJacobianMap: flag(kp, 'single_jacobian_map'),
      pad: num(kp, 'pad', 0),
    },
    generator: {
      blockExpansion: num(gen, 'block_expansion'),
      maxFeatures: num(gen, 'max_features'),
      numDownBlocks: num(gen, 'num_down_blocks'),
      numBottleneckBlocks: num(gen, 'num_bottleneck_blocks'),
      estimateOcclusionMap: flag(gen, 'estimate_occlusion_map'),
      denseMotion: {
        blockExpansion: num(dense, 'block_expansion'),
        maxFeatures: num(dense, 'max_features'),
        numBlocks: num(dense, 'num_blocks'),
        scaleFactor: num(dense, 'scale_factor', 1),
        kpVariance: num(dense, 'kp_variance', 0.01),
      },
    },
  };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`model_params has no ${what} section`);
  return value as Record<string, unknown>;
}

function num(section: Record<string, unknown>, key: string, fallback?: number): number {
  const value = section[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`model_params needs ${key} as a number`);
  return value;
}

function flag(section: Record<string, unknown>, key: string): boolean {
  const value = section[key] ?? false;
  if (typeof value !== 'boolean') throw new Error(`model_params needs ${key} as true or false`);
  return value;
}
