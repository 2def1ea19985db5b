/**
 * Comparing two converted model folders — the TypeScript converter's and the Python converter's — as the engine
 * sees them: the manifests, the ONNX files' inputs, outputs and metadata, and the numbers onnxruntime computes
 * from the same inputs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { float16ToFloat32, float32ToFloat16 } from '../../src/engine/worker/float16.js';
import { maxAbsDiff, runPython } from './helpers.js';
import type { OnnxSummary } from './onnx-summary.js';

const CHECK = ['import sys, onnx', 'for path in sys.argv[1:]:', '    onnx.checker.check_model(onnx.load(path))'].join('\n');

/** onnx's checker (Python) passes each file; throws with its complaint otherwise. */
export async function onnxCheck(...paths: string[]): Promise<void> {
  const result = await runPython(['-c', CHECK, ...paths]);
  if (result.code !== 0) throw new Error(`onnx's checker refused ${paths.join(', ')}:\n${result.stderr}`);
}

/** The parts of two summaries that must be equal: everything but the converter's own name and the torch version. */
export function comparable(summary: OnnxSummary): Omit<OnnxSummary, 'graphHash'> {
  const metadata = Object.fromEntries(Object.entries(summary.metadata).filter(([k]) => k !== 'marionette.converter' && k !== 'torch'));
  // The exporter names the batch dimension as it likes; the contract only needs it symbolic.
  const symbolic = (vs: OnnxSummary['inputs']) => vs.map(([n, t, dims]) => [n, t, dims.map((d, i) => (i === 0 && typeof d === 'string' ? 'batch' : d))]);
  const { graphHash: _graph, ...rest } = summary;
  return {
    ...rest,
    producer: '',
    metadata,
    inputs: symbolic(summary.inputs) as OnnxSummary['inputs'],
    outputs: symbolic(summary.outputs) as OnnxSummary['outputs'],
  };
}

export async function manifestText(dir: string): Promise<string> {
  return readFile(join(dir, 'manifest.json'), 'utf8');
}

/** Deterministic smooth RGB images in 0..1, [n, 3, h, w], each different. */
export function testImages(n: number, height: number, width: number): Float32Array {
  const data = new Float32Array(n * 3 * height * width);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const disc = (x / width - 0.4 - 0.1 * i) ** 2 + (y / height - 0.5) ** 2 < 0.05 ? 0.35 : 0;
          data[((i * 3 + c) * height + y) * width + x] = 0.3 + 0.2 * Math.sin(x / (5 + c) + i) * Math.cos(y / (7 + i)) + disc;
        }
      }
    }
  }
  return data;
}

export type Feeds = Record<string, Tensor>;
export type Outputs = Record<string, Float32Array>;

/** Runs one ONNX file on the CPU provider; float16 outputs are widened. Inputs are given in float32 and narrowed for an fp16 graph. */
export async function run(path: string, feeds: Feeds): Promise<Outputs> {
  const session = await InferenceSession.create(path, { executionProviders: ['cpu'] });
  try {
    const typed: Feeds = {};
    for (const meta of session.inputMetadata) {
      const feed = feeds[meta.name]!;
      typed[meta.name] = meta.isTensor && meta.type === 'float16' ? new Tensor('float16', float32ToFloat16(feed.data as Float32Array), feed.dims) : feed;
    }
    const results = await session.run(typed);
    const out: Outputs = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = tensor.type === 'float16' ? float16ToFloat32(tensor.data as Uint16Array) : (tensor.data as Float32Array);
    }
    return out;
  } finally {
    await session.release();
  }
}

/** The keypoint detector's inputs (two images) and, from its outputs, the generator's (image 0 driven by image 1's keypoints). */
export async function networkInputs(kpDetector: string, size: { width: number; height: number }, k: number): Promise<{ kp: Feeds; generator: Feeds }> {
  const images = testImages(2, size.height, size.width);
  const kp: Feeds = { source: new Tensor('float32', images, [2, 3, size.height, size.width]) };
  const detected = await run(kpDetector, kp);
  const value = detected['kp_value']!;
  const jacobian = detected['kp_jacobian']!;
  const pick = (data: Float32Array, i: number, dims: number[]) => {
    const n = data.length / 2;
    return new Tensor('float32', data.slice(i * n, (i + 1) * n), dims);
  };
  const pixels = 3 * size.height * size.width;
  return {
    kp,
    generator: {
      source: new Tensor('float32', images.slice(0, pixels), [1, 3, size.height, size.width]),
      kp_source_value: pick(value, 0, [1, k, 2]),
      kp_source_jacobian: pick(jacobian, 0, [1, k, 2, 2]),
      kp_driving_value: pick(value, 1, [1, k, 2]),
      kp_driving_jacobian: pick(jacobian, 1, [1, k, 2, 2]),
    },
  };
}

/** The largest difference between two runs' outputs, per output. */
export function differences(a: Outputs, b: Outputs): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((name) => [name, maxAbsDiff(a[name]!, b[name]!)]));
}
