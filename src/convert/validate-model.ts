import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { EngineError } from '../engine/errors.js';
import { GENERATOR_FILE, KP_DETECTOR_FILE, MANIFEST_FILE, parseManifest, type ModelManifest, type Precision } from '../engine/model/manifest.js';
import { float16ToFloat32, float32ToFloat16 } from '../engine/worker/float16.js';

/**
 * Checks a freshly converted model folder the way the engine will use it: the
 * manifest parses, both networks load in onnxruntime-node (CPU) with the contract's
 * inputs and outputs, and one frame runs through them (the source animated by its own
 * keypoints) giving finite keypoints in −1..1 and an image in 0..1. Any failure is an
 * EngineError: the converter wrote something the engine cannot use.
 */
export async function validateModelFolder(dir: string): Promise<ModelManifest> {
  const manifest = await readManifest(dir);
  const { width, height } = manifest.inputSize;
  const k = manifest.numKeypoints;
  const kpDetector = await load(dir, KP_DETECTOR_FILE);
  const generator = await load(dir, GENERATOR_FILE).catch(async (e: unknown) => {
    await kpDetector.release();
    throw e;
  });
  try {
    expectIo(
      kpDetector,
      KP_DETECTOR_FILE,
      'fp32',
      [['source', [3, height, width]]],
      [
        ['kp_value', [k, 2]],
        ['kp_jacobian', [k, 2, 2]],
      ],
    );
    expectIo(
      generator,
      GENERATOR_FILE,
      manifest.precision.generator,
      [
        ['source', [3, height, width]],
        ['kp_source_value', [k, 2]],
        ['kp_source_jacobian', [k, 2, 2]],
        ['kp_driving_value', [k, 2]],
        ['kp_driving_jacobian', [k, 2, 2]],
      ],
      [['prediction', [3, height, width]]],
    );

    const source = testImage(width, height);
    const kp = await kpDetector.run({ source: new Tensor('float32', source, [1, 3, height, width]) });
    const value = floats(kp['kp_value'], 'kp_value');
    const jacobian = floats(kp['kp_jacobian'], 'kp_jacobian');
    if (!value.every((v) => Number.isFinite(v) && Math.abs(v) <= 1 + 1e-5)) throw bad(`${KP_DETECTOR_FILE} gave keypoints outside −1..1`);
    if (!jacobian.every(Number.isFinite)) throw bad(`${KP_DETECTOR_FILE} gave non-finite jacobians`);

    const half = manifest.precision.generator === 'fp16';
    const tensor = (data: Float32Array, dims: number[]) => (half ? new Tensor('float16', float32ToFloat16(data), dims) : new Tensor('float32', data, dims));
    const out = await generator.run({
      source: tensor(source, [1, 3, height, width]),
      kp_source_value: tensor(value, [1, k, 2]),
      kp_source_jacobian: tensor(jacobian, [1, k, 2, 2]),
      kp_driving_value: tensor(value, [1, k, 2]),
      kp_driving_jacobian: tensor(jacobian, [1, k, 2, 2]),
    });
    const prediction = floats(out['prediction'], 'prediction');
    if (prediction.length !== 3 * width * height) throw bad(`${GENERATOR_FILE} gave ${prediction.length} values for one ${width}x${height} frame`);
    if (!prediction.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)) throw bad(`${GENERATOR_FILE} gave pixels outside 0..1`);
  } finally {
    await Promise.all([kpDetector.release(), generator.release()]);
  }
  return manifest;
}

async function readManifest(dir: string): Promise<ModelManifest> {
  const manifestPath = join(dir, MANIFEST_FILE);
  try {
    return parseManifest(await readFile(manifestPath, 'utf8'), manifestPath);
  } catch (e) {
    throw new EngineError(`The converted manifest is unusable: ${(e as Error).message}`, { dir }, { cause: e });
  }
}

type IoSpec = ReadonlyArray<readonly [string, readonly number[]]>;

function expectIo(session: InferenceSession, file: string, precision: Precision, inputs: IoSpec, outputs: IoSpec): void {
  const type = precision === 'fp16' ? 'float16' : 'float32';
  const check = (kind: string, actual: readonly InferenceSession.ValueMetadata[], expected: IoSpec) => {
    const names = actual.map((m) => m.name);
    if (names.join() !== expected.map(([n]) => n).join())
      throw bad(`${file} has ${kind}s ${names.join(', ')}, expected ${expected.map(([n]) => n).join(', ')}`);
    expected.forEach(([name, dims], i) => {
      const meta = actual[i]!;
      if (!meta.isTensor) throw bad(`${file} ${kind} ${name} is not a tensor`);
      const [batch, ...rest] = meta.shape;
      if (meta.type !== type) throw bad(`${file} ${kind} ${name} is ${meta.type}, expected ${type}`);
      if (typeof batch === 'number' || rest.join() !== dims.join()) {
        throw bad(`${file} ${kind} ${name} has shape [${meta.shape.join(', ')}], expected [N, ${dims.join(', ')}]`);
      }
    });
  };
  check('input', session.inputMetadata, inputs);
  check('output', session.outputMetadata, outputs);
}

async function load(dir: string, file: string): Promise<InferenceSession> {
  const path = join(dir, file);
  try {
    return await InferenceSession.create(path, { executionProviders: ['cpu'] });
  } catch (e) {
    // onnxruntime's message names the (staging) path and can run over several lines: keep its gist.
    const reason = (e as Error).message.split(path).join(file).split('\n')[0]!.trim();
    throw new EngineError(`The converted model failed its check: onnxruntime cannot load ${file} (${reason.replace(/\.$/, '')}).`, { path }, { cause: e });
  }
}

function floats(tensor: Tensor | undefined, name: string): Float32Array {
  if (tensor === undefined) throw bad(`the output ${name} is missing`);
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return float16ToFloat32(tensor.data as Uint16Array);
  throw bad(`the output ${name} is ${tensor.type}`);
}

/** A smooth colour gradient with a bright square: something for the detector to lock onto. */
function testImage(width: number, height: number): Float32Array {
  const data = new Float32Array(3 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inSquare = Math.abs(x - width / 2) < width / 6 && Math.abs(y - height / 2) < height / 6 ? 0.5 : 0;
      const i = y * width + x;
      data[i] = 0.2 + 0.3 * (x / width) + inSquare;
      data[width * height + i] = 0.2 + 0.3 * (y / height) + inSquare;
      data[2 * width * height + i] = 0.4 + inSquare * 0.5;
    }
  }
  return data;
}

function bad(what: string): EngineError {
  return new EngineError(`The converted model failed its check: ${what}.`);
}
