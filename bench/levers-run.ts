/**
 * One session configuration measured in a fresh process (bench/levers.ts runs
 * it): the model's two sessions created with the engine's options plus one
 * change, a warm-up batch, then `--reps` batches of keypoints + generator.
 * Prints one JSON line: ms per frame for each network and peak RSS.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { readModelFolder } from '../src/engine/model/model-folder.js';
import { sessionOptionsFor, type SessionTuning } from '../src/engine/model/session-options.js';
import { float32ToFloat16 } from '../src/engine/worker/float16.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    batch: { type: 'string', default: '4' },
    reps: { type: 'string', default: '2' },
    tuning: { type: 'string', default: '{}' },
  },
});
const n = Number(values.batch);
const folder = await readModelFolder(values.model!);
const tuning: SessionTuning = { cpuThreads: 2, ...(JSON.parse(values.tuning!) as Partial<SessionTuning>) };
const options = sessionOptionsFor('cpu', tuning);
const kp = await ort.InferenceSession.create(folder.kpDetectorPath, options);
const gen = await ort.InferenceSession.create(folder.generatorPath, options);
const { width, height } = folder.manifest.inputSize;
const k = folder.manifest.numKeypoints;
const half = folder.manifest.precision.generator === 'fp16';
const tensor = (data: Float32Array, dims: number[]) => (half ? new ort.Tensor('float16', float32ToFloat16(data), dims) : new ort.Tensor('float32', data, dims));

// A smooth frame (a gradient), keypoints spread over the frame, jacobians near the identity.
const frame = new Float32Array(n * 3 * width * height);
for (let i = 0; i < frame.length; i++) frame[i] = ((i % width) / width) * 0.8 + 0.1;
const values2 = new Float32Array(n * k * 2).map((_, i) => Math.sin(i * 1.7) * 0.6);
const jacobians = new Float32Array(n * k * 4).map((_, i) => (i % 4 === 0 || i % 4 === 3 ? 1 : 0.05));
const sourceBatch = folder.manifest.sharedSource ? 1 : n;
const feeds = {
  source: tensor(frame.subarray(0, sourceBatch * 3 * width * height), [sourceBatch, 3, height, width]),
  kp_source_value: tensor(values2, [n, k, 2]),
  kp_source_jacobian: tensor(jacobians, [n, k, 2, 2]),
  kp_driving_value: tensor(
    values2.map((v) => v * 0.9),
    [n, k, 2],
  ),
  kp_driving_jacobian: tensor(jacobians, [n, k, 2, 2]),
};
const kpFeeds = { source: new ort.Tensor('float32', frame, [n, 3, height, width]) };
let kpMs = 0;
let genMs = 0;
const reps = Number(values.reps);
for (let r = 0; r <= reps; r++) {
  let t = performance.now();
  await kp.run(kpFeeds);
  const a = performance.now() - t;
  t = performance.now();
  await gen.run(feeds);
  const b = performance.now() - t;
  if (r > 0) {
    kpMs += a;
    genMs += b;
  }
}
const rss = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(`${JSON.stringify({ kpMs: kpMs / reps / n, genMs: genMs / reps / n, peakRssMb: rss ? Number(rss[1]) / 1024 : null })}\n`);
await Promise.all([kp.release(), gen.release()]);
