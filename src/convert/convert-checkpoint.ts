import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GENERATOR_FILE, KP_DETECTOR_FILE, MANIFEST_FILE, serializeManifest, type Precision } from '../engine/model/manifest.js';
import { convertToFloat16 } from '../onnx-builder/float16-pass.js';
import { convertToMixedPrecision } from '../onnx-builder/mixed-precision-pass.js';
import { writeModelFile, type ModelInfo } from '../onnx-builder/model-writer.js';
import { VERSION } from '../version.js';
import { PUBLISHED_FRAME_SIZE, PUBLISHED_MODELS, type BuiltinConfig, type PublishedModel } from './builtin-configs.js';
import { Checkpoint } from './checkpoint/read-checkpoint.js';
import { convertedManifest, modelNameOf } from './converted-manifest.js';
import { ConvertError } from './convert-error.js';
import { buildGenerator, type GeneratorOptions } from './fomm/generator.js';
import { buildKeypointDetector } from './fomm/keypoint-detector.js';
import type { FommConfig } from './fomm/model-params.js';
import { NetworkWeights } from './fomm/network-weights.js';
import { generatorLayout, kpDetectorLayout } from './fomm/state-dict-layout.js';

export interface ConvertOptions {
  readonly checkpoint: string;
  /** A built-in config name, or a config given as data (tests convert small architectures this way). */
  readonly config: BuiltinConfig | FommConfig;
  /** The folder to write kp_detector.onnx, generator.onnx and manifest.json into (created); its name names the model. */
  readonly out: string;
  readonly precision?: Precision;
  readonly plain?: boolean;
  readonly interleave?: 'stack' | 'depth-to-space';
  readonly winograd?: boolean;
  /** Progress, one line at a time. */
  readonly log?: (line: string) => void;
  /** Checked between stages: an aborted conversion stops with AbortError, leaving its files half-written for the caller to remove. */
  readonly signal?: AbortSignal;
}

export const OPSET = 17;
/** How the generator samples (recorded in its metadata; the same text as the Python converter's). */
export const GRID_SAMPLE =
  "mode=bilinear padding_mode=zeros align_corners=True (PyTorch 1.0's grid_sample, with which the official weights were trained; " +
  'the official code on PyTorch 1.3 or newer runs it with align_corners=False)';
/** What a mixed-precision generator computes in float16 (the bottleneck too without Winograd): its convolutional trunk. */
const MIXED_HALF_SCOPES = ['/first/', '/down_blocks.', '/up_blocks.', '/final/'];

/**
 * Converts an official FOMM checkpoint into a model folder, in TypeScript: the checkpoint is read by the safe
 * reader, its kp_detector and generator weights are checked strictly against the config, and both networks are
 * written as ONNX graphs built here — the same networks, inputs, outputs, metadata and manifest as the Python
 * converter's (tools/convert), which the tests hold it to. Throws ConvertError (one sentence) for bad input.
 */
export async function convertCheckpoint(options: ConvertOptions): Promise<void> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const { config, published } = resolveConfig(options.config);
  const precision = options.precision ?? 'fp32';
  const name = modelNameOf(options.out);
  if (name === null) throw new ConvertError(`The output folder's name "${basename(options.out)}" cannot name a model.`);
  const checkpoint = await Checkpoint.open(options.checkpoint);
  try {
    log(`Reading ${options.checkpoint} (${(checkpoint.size / 1e6).toFixed(0)} MB, ${checkpoint.format} format)`);
    const read = (t: Parameters<Checkpoint['read']>[0]) => checkpoint.read(t);
    const kpWeights = NetworkWeights.checked('kp_detector', config.label, kpDetectorLayout(config.params), checkpoint.networks.kp_detector, read);
    const generatorWeights = NetworkWeights.checked('generator', config.label, generatorLayout(config.params), checkpoint.networks.generator, read);
    log(
      `Loaded the keypoint detector (${millions(kpWeights.parameterCount)}M parameters) and the generator (${millions(generatorWeights.parameterCount)}M) ` +
        `for config ${config.label}: ${config.width}x${config.height}, ${config.params.numKp} keypoints` +
        (config.params.estimateJacobian ? ', with jacobians' : ', zero-order (no jacobians)'),
    );
    const plain = options.plain ?? false;
    const graphOptions: GeneratorOptions = {
      rewrites: !plain,
      interleave: options.interleave ?? 'stack',
      // Winograd's transforms would cost a float16 generator about three bits: it keeps direct convolutions.
      winograd: !plain && (options.winograd ?? true) && precision !== 'fp16',
      sharedSource: !plain,
    };
    await mkdir(options.out, { recursive: true });
    const metadata = {
      'marionette.converter': `marionette ${VERSION} (TypeScript)`,
      'marionette.config': config.label,
      'marionette.checkpoint': basename(options.checkpoint),
    };

    options.signal?.throwIfAborted();
    log(`Writing ${KP_DETECTOR_FILE} (ONNX opset ${OPSET})`);
    const detector = buildKeypointDetector(config, kpWeights, graphOptions).graph;
    await writeModelFile(join(options.out, KP_DETECTOR_FILE), detector, modelInfo(KP_DETECTOR_DOC, metadata), options.signal);

    options.signal?.throwIfAborted();
    const generator = buildGenerator(config, generatorWeights, graphOptions).graph;
    if (precision === 'fp16') convertToFloat16(generator);
    if (precision === 'mixed') convertToMixedPrecision(generator, graphOptions.winograd ? MIXED_HALF_SCOPES : [...MIXED_HALF_SCOPES, '/bottleneck/']);
    log(`Writing ${GENERATOR_FILE} (ONNX opset ${OPSET}${precision === 'fp32' ? '' : `, ${precision} precision`})`);
    const written = await writeModelFile(
      join(options.out, GENERATOR_FILE),
      generator,
      modelInfo(GENERATOR_DOC, { ...metadata, 'marionette.grid_sample': GRID_SAMPLE }),
      options.signal,
    );
    if (written.clipped > 0) log(`Warning: ${written.clipped} generator weights exceed float16's range and were clipped`);

    const manifest = convertedManifest(name, config, published, options.checkpoint, precision, graphOptions.sharedSource);
    await writeFile(join(options.out, MANIFEST_FILE), serializeManifest(manifest));
    const sizes = await Promise.all(
      [KP_DETECTOR_FILE, GENERATOR_FILE].map(async (f) => `${f} (${((await stat(join(options.out, f))).size / 1e6).toFixed(1)} MB)`),
    );
    log(`Wrote ${options.out}: ${sizes.join(', ')}, ${MANIFEST_FILE} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await checkpoint.close();
  }
}

const KP_DETECTOR_DOC = 'FOMM keypoint detector: source [N,3,H,W] RGB 0..1 -> kp_value [N,K,2], kp_jacobian [N,K,2,2]';
const GENERATOR_DOC = 'FOMM occlusion-aware generator: source and keypoints of source and driving frames -> prediction [N,3,H,W]';

function modelInfo(docString: string, properties: Record<string, string>): ModelInfo {
  return { producerName: 'marionette-convert', producerVersion: VERSION, docString, opsetVersion: OPSET, properties };
}

function resolveConfig(config: BuiltinConfig | FommConfig): { config: FommConfig; published: PublishedModel | null } {
  if (typeof config !== 'string') return { config, published: null };
  const published = PUBLISHED_MODELS[config];
  return { config: { label: config, params: published.modelParams, width: PUBLISHED_FRAME_SIZE, height: PUBLISHED_FRAME_SIZE }, published };
}

function millions(n: number): string {
  return (n / 1e6).toFixed(1);
}
