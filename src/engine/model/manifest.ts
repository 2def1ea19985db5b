import { InputError } from '../errors.js';

/**
 * The model-folder contract. A folder `models/<name>/` holds:
 *   manifest.json       this structure
 *   kp_detector.onnx    source [N,3,H,W] float RGB 0..1 → kp_value [N,K,2] (−1..1), kp_jacobian [N,K,2,2]
 *   generator.onnx      source, kp_source_value, kp_source_jacobian, kp_driving_value, kp_driving_jacobian
 *                       → prediction [N,3,H,W] float RGB 0..1
 *                       source is [N,3,H,W], or [1,3,H,W] for the whole batch when the
 *                       manifest says `sharedSource` (the source is then encoded once per batch)
 * Keypoints use FOMM's grid convention: x then y, −1 and 1 are the centres of the
 * first and last pixel (grid_sample with align_corners=True).
 */
export const MANIFEST_FILE = 'manifest.json';
export const KP_DETECTOR_FILE = 'kp_detector.onnx';
export const GENERATOR_FILE = 'generator.onnx';
export const MANIFEST_FORMAT_VERSION = 1;

export type AnimationMode = 'relative' | 'absolute';
/**
 * A network's precision: `fp32`; `fp16`, float16 throughout, inputs and outputs too; `mixed`,
 * float32 inputs and outputs with float16 inside (the converter's `--precision mixed`: the
 * generator's convolutional trunk in float16, its motion estimation and warps in float32).
 */
export type Precision = 'fp32' | 'fp16' | 'mixed';
/**
 * How the model's training data was framed, so the engine frames a photo and a video alike
 * (src/engine/framing/): `face`, a square where the face fills most of the frame (VoxCeleb: the face box grown
 * about 10 % a side); `whole`, the whole subject in the square (a standing person, a drawn character, a scene);
 * `centre`, nothing known: the centred square (the demo model; a manifest without the field).
 */
export type TrainingFraming = 'face' | 'whole' | 'centre';
export const TRAINING_FRAMINGS: readonly TrainingFraming[] = ['face', 'whole', 'centre'];

export interface ModelManifest {
  /** Format version of this contract. */
  readonly formatVersion: number;
  /** Short identifier shown to users (`vox`, `taichi`, `default`). */
  readonly name: string;
  /** One line on what the model is for. */
  readonly description: string;
  readonly family: 'fomm';
  readonly inputSize: { readonly width: number; readonly height: number };
  readonly numKeypoints: number;
  readonly hasJacobian: boolean;
  /** The data the weights were trained on (e.g. "VoxCeleb talking heads"). */
  readonly trainedOn: string;
  readonly recommendedMode: AnimationMode;
  readonly license: string;
  readonly source: string;
  /** Numeric precision of each network (its float inputs and outputs are float16 only for `fp16`). */
  readonly precision: { readonly kpDetector: Precision; readonly generator: Precision };
  /**
   * The generator also takes one source image ([1,3,H,W]) for a batch of N
   * driving keypoints, and encodes it once per batch. Absent means false.
   */
  readonly sharedSource?: boolean;
  /** How the training data was framed; absent (older manifests) means `centre`. */
  readonly framing?: TrainingFraming;
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Parses and validates manifest JSON text; every problem is named in one sentence. */
export function parseManifest(text: string, where: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(where, `is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(raw)) throw bad(where, 'must be a JSON object');
  const formatVersion = raw['formatVersion'];
  if (formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw bad(where, `has formatVersion ${JSON.stringify(formatVersion)}, but this Marionette reads version ${MANIFEST_FORMAT_VERSION}`);
  }
  const name = str(raw, 'name', where);
  if (!NAME_PATTERN.test(name)) throw bad(where, `has name "${name}"; use lowercase letters, digits, ".", "_" or "-" (at most 64)`);
  const family = str(raw, 'family', where);
  if (family !== 'fomm') throw bad(where, `has family "${family}"; only "fomm" is supported`);
  const size = raw['inputSize'];
  if (!isRecord(size) || !posInt(size['width']) || !posInt(size['height'])) {
    throw bad(where, 'needs inputSize {"width", "height"} as positive integers');
  }
  const width = size['width'] as number;
  const height = size['height'] as number;
  if (width > 2048 || height > 2048 || width < 16 || height < 16) throw bad(where, `has inputSize ${width}×${height}; sizes from 16 to 2048 are supported`);
  const numKeypoints = raw['numKeypoints'];
  if (!posInt(numKeypoints) || (numKeypoints as number) > 256) throw bad(where, 'needs numKeypoints as an integer from 1 to 256');
  const hasJacobian = raw['hasJacobian'];
  if (typeof hasJacobian !== 'boolean') throw bad(where, 'needs hasJacobian as true or false');
  const recommendedMode = str(raw, 'recommendedMode', where);
  if (recommendedMode !== 'relative' && recommendedMode !== 'absolute') throw bad(where, 'needs recommendedMode "relative" or "absolute"');
  const precision = raw['precision'] ?? { kpDetector: 'fp32', generator: 'fp32' };
  if (!isRecord(precision) || !isPrecision(precision['kpDetector']) || !isPrecision(precision['generator'])) {
    throw bad(where, 'needs precision {"kpDetector", "generator"} each "fp32", "mixed" or "fp16"');
  }
  const sharedSource = raw['sharedSource'] ?? false;
  if (typeof sharedSource !== 'boolean') throw bad(where, 'has sharedSource that is not true or false');
  const framing = raw['framing'] ?? 'centre';
  if (!TRAINING_FRAMINGS.includes(framing as TrainingFraming)) throw bad(where, 'has framing that is not "face", "whole" or "centre"');
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    name,
    description: str(raw, 'description', where),
    family: 'fomm',
    inputSize: { width, height },
    numKeypoints: numKeypoints as number,
    hasJacobian,
    trainedOn: str(raw, 'trainedOn', where),
    recommendedMode,
    license: str(raw, 'license', where),
    source: str(raw, 'source', where),
    precision: { kpDetector: precision['kpDetector'] as Precision, generator: precision['generator'] as Precision },
    ...(sharedSource ? { sharedSource: true } : {}),
    ...(framing !== 'centre' ? { framing: framing as TrainingFraming } : {}),
  };
}

export function serializeManifest(m: ModelManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function posInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
function isPrecision(v: unknown): v is Precision {
  return v === 'fp32' || v === 'fp16' || v === 'mixed';
}
function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw bad(where, `needs "${key}" as a non-empty string`);
  return v;
}
function bad(where: string, what: string): InputError {
  return new InputError('bad-model', `The model manifest ${where} ${what}.`, { where });
}
