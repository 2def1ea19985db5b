/**
 * Shared by the converter tests: the Python that runs the converter, the random-weight
 * checkpoint helper (tools/convert/marionette_convert/testing), the PyTorch reference
 * files it writes, and runConvert with captured output.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { runConvert } from '../../src/cli/convert-command.js';
import { fromOfficialModelParams, type FommConfig } from '../../src/convert/fomm/model-params.js';
import { findPython, type FoundPython } from '../../src/convert/python-finder.js';
import { runProcess } from '../../src/engine/media/process.js';
import { float32ToFloat16 } from '../../src/engine/worker/float16.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CONVERTER_ROOT = join(REPO_ROOT, 'tools', 'convert');
export const TEST_CONFIG_DIR = join(CONVERTER_ROOT, 'marionette_convert', 'testing', 'configs');
/** The bound the converted networks must meet against PyTorch. */
export const TOLERANCE = 1e-4;

let found: Promise<FoundPython> | undefined;
export function python(): Promise<FoundPython> {
  found ??= findPython();
  return found;
}

/** Whether this machine has the Python the converter needs (with PyTorch, ONNX and PyYAML). */
export const PYTHON_READY: boolean = await python().then(
  () => true,
  () => false,
);
/** What a converter test says when it skips for want of Python (in CI it fails with this instead: tests/support/ci.ts). */
export const NO_PYTHON =
  'These converter tests need Python 3 with PyTorch, ONNX and PyYAML, which this machine lacks: `npm test` installs them when it runs as ' +
  'root or with passwordless sudo (tools/setup/system-deps.sh), or run sudo apt-get install -y python3-torch python3-onnx python3-yaml.';

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the converter's Python with tools/convert on PYTHONPATH. */
export async function runPython(args: readonly string[]): Promise<ProcessResult> {
  const { executable } = await python();
  const r = await runProcess(executable, args, { cwd: CONVERTER_ROOT, env: { ...process.env, PYTHONPATH: CONVERTER_ROOT, PYTHONUNBUFFERED: '1' } });
  return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
}

export interface RandomCheckpointOptions {
  readonly reference?: string;
  readonly generatorBatch?: 1 | 2;
  readonly format?: 'legacy' | 'zip';
  readonly optimizerMoments?: boolean;
  readonly seed?: number;
}

export async function makeRandomCheckpoint(config: string, out: string, options: RandomCheckpointOptions = {}): Promise<void> {
  const args = ['-m', 'marionette_convert.testing', 'make-random-checkpoint', '--config', config, '--out', out];
  args.push('--seed', String(options.seed ?? 1), '--format', options.format ?? 'legacy');
  if (options.reference !== undefined) args.push('--reference', options.reference, '--generator-batch', String(options.generatorBatch ?? 2));
  if (options.optimizerMoments === false) args.push('--no-optimizer-moments');
  const result = await runPython(args);
  if (result.code !== 0) throw new Error(`make-random-checkpoint failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
}

export interface Captured extends ProcessResult {
  readonly code: number;
}

/** runConvert with its output captured. */
export async function convert(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runConvert(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...(env === undefined ? {} : { env }),
  });
  return { code, stdout, stderr };
}

export interface RefTensor {
  readonly data: Float32Array;
  readonly dims: number[];
}

interface NormalizeCase {
  readonly name: string;
  readonly relative: boolean;
  readonly adaptScale: boolean;
  readonly movementScale: number;
  readonly source: [string, string];
  readonly driving: [string, string];
  readonly drivingInitial: [string, string];
  readonly expected: [string, string];
}

interface ReferenceJson {
  readonly height: number;
  readonly width: number;
  readonly numKp: number;
  readonly hasJacobian: boolean;
  readonly kpDetector: { inputs: Record<string, string>; outputs: Record<string, string> };
  readonly generator: { inputs: Record<string, string>; outputs: Record<string, string> };
  readonly normalize: readonly NormalizeCase[];
  readonly tensors: Record<string, { file: string; shape: number[] }>;
}

/** The PyTorch outputs written by make-random-checkpoint --reference. */
export class Reference {
  private constructor(
    private readonly dir: string,
    readonly json: ReferenceJson,
  ) {}

  static async load(dir: string): Promise<Reference> {
    return new Reference(dir, JSON.parse(await readFile(join(dir, 'reference.json'), 'utf8')) as ReferenceJson);
  }

  async tensor(name: string): Promise<RefTensor> {
    const entry = this.json.tensors[name];
    if (entry === undefined) throw new Error(`no reference tensor ${name}`);
    const bytes = await readFile(join(this.dir, entry.file));
    const data = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(data.buffer).set(bytes);
    return { data, dims: entry.shape };
  }

  /** The named reference tensors as feeds, in float32 or (for an --fp16 generator) float16. */
  async feeds(names: Record<string, string>, type: 'float32' | 'float16' = 'float32'): Promise<Record<string, Tensor>> {
    const out: Record<string, Tensor> = {};
    for (const [input, name] of Object.entries(names)) {
      const t = await this.tensor(name);
      out[input] = type === 'float16' ? new Tensor('float16', float32ToFloat16(t.data), t.dims) : new Tensor('float32', t.data, t.dims);
    }
    return out;
  }
}

/** Runs one network of a model folder on the reference inputs (float16 ones for an --fp16 generator); returns output name → [got, expected]. */
export async function runAgainstReference(
  modelFile: string,
  reference: Reference,
  part: 'kpDetector' | 'generator',
  sessionOptions: InferenceSession.SessionOptions = { executionProviders: ['cpu'] },
  feedType: 'float32' | 'float16' = 'float32',
): Promise<Record<string, { got: Tensor; want: RefTensor }>> {
  const session = await InferenceSession.create(modelFile, sessionOptions);
  try {
    const spec = reference.json[part];
    const results = await session.run(await reference.feeds(spec.inputs, feedType));
    const out: Record<string, { got: Tensor; want: RefTensor }> = {};
    for (const [output, name] of Object.entries(spec.outputs)) {
      const got = results[output];
      if (got === undefined) throw new Error(`${modelFile} gave no ${output}`);
      out[output] = { got, want: await reference.tensor(name) };
    }
    return out;
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

export type { NormalizeCase };

export type HostileKind = 'os-system' | 'os-system-zip' | 'zip-outside' | 'huge-tensor-legacy' | 'huge-tensor-zip' | 'torchscript';

/** A file a checkpoint reader must refuse (tools/convert/marionette_convert/testing/hostile.py). */
export async function makeHostileCheckpoint(kind: HostileKind, out: string, marker = '/nonexistent/marionette-pwned'): Promise<void> {
  const result = await runPython(['-m', 'marionette_convert.testing', 'make-hostile-checkpoint', '--kind', kind, '--out', out, '--marker', marker]);
  if (result.code !== 0) throw new Error(`make-hostile-checkpoint failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
}

/**
 * The Python converter's convert() for each config in one process (PyTorch imported and the checkpoint read
 * once): model folders named after the configs in `outDir`.
 */
export async function convertManyWithPython(checkpoint: string, configs: readonly string[], outDir: string, options: readonly string[] = []): Promise<void> {
  const args = ['-m', 'marionette_convert.testing', 'convert-many', '--checkpoint', checkpoint, '--configs', configs.join(','), '--out', outDir, ...options];
  const result = await runPython(args);
  if (result.code !== 0) throw new Error(`convert-many failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
}

/** A test config's YAML (TEST_CONFIG_DIR) as the TypeScript converter takes a config given as data, read by PyYAML. */
export async function testConfig(name: 'small' | 'small-zero-order'): Promise<FommConfig> {
  const script = [
    'import json, sys, yaml',
    'd = yaml.safe_load(open(sys.argv[1]))',
    'shape = d["dataset_params"]["frame_shape"]',
    'print(json.dumps({"model_params": d["model_params"], "width": shape[0], "height": shape[1]}))',
  ].join('\n');
  const result = await runPython(['-c', script, join(TEST_CONFIG_DIR, `${name}.yaml`)]);
  if (result.code !== 0) throw new Error(`reading ${name}.yaml failed:\n${result.stderr}`);
  const doc = JSON.parse(result.stdout) as { model_params: unknown; width: number; height: number };
  return { label: `${name}.yaml`, params: fromOfficialModelParams(doc.model_params), width: doc.width, height: doc.height };
}

export type StateDictLayout = Record<'kp_detector' | 'generator', Array<[string, number[]]>>;

/** Each network's state_dict names and shapes for each config, from the Python modules. */
export async function stateDictLayoutsFromPython(configs: readonly string[]): Promise<Record<string, StateDictLayout>> {
  const result = await runPython(['-m', 'marionette_convert.testing', 'state-dict-layout', '--configs', configs.join(',')]);
  if (result.code !== 0) throw new Error(`state-dict-layout failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, StateDictLayout>;
}
