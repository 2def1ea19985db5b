/**
 * The GPU check (bench/gpu/run.sh runs it on the device machine, which has no
 * ffmpeg): the engine's own worker and generating loop (frame-stream.ts) fed
 * with driving frames from memory, per batch size, on the requested execution
 * provider. Reports ms per frame; the GPU's busy share while the frames ran
 * (nvidia-smi's utilization, sampled every 20 ms, when nvidia-smi is there: the
 * issue's "GPU idle between batches" is 1 − that); the worker's idle share (time
 * outside session.run, which counts uploads, readbacks and dispatch as busy, so it
 * says only whether the worker ever waited for frames); what `auto` chose and why;
 * and parity with the PyTorch reference frames. Decode
 * and encode are not in these numbers (ffmpeg runs on the host's CPU cores,
 * overlapping inference; `npm run bench` measures them alone).
 *
 * `--variants` adds runs with WebGPU settings other than onnxruntime's defaults,
 * each `settings@batch`, settings joined by `+`: `nchw` (convolutions in NCHW
 * instead of NHWC), `novalidate` (no command validation), e.g.
 * `nchw@16,novalidate@16,nchw+novalidate@16`.
 *
 *   node dist/bench/gpu/gpu-check.js --model M --source S.rgb --driving D.rgb --reference P.rgb
 *       [--device webgpu] [--batches 1,4,16] [--variants nchw@16] [--repeats 2] [--out result.json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { streamFrames } from '../../src/engine/frame-stream.js';
import type { FrameBatch } from '../../src/engine/media/decode.js';
import { detectAvailability, planProviders, type DeviceRequest } from '../../src/engine/model/execution-provider.js';
import { readModelFolder } from '../../src/engine/model/model-folder.js';
import type { WebGpuTuning } from '../../src/engine/model/session-options.js';
import { InferenceWorker } from '../../src/engine/worker/inference-worker.js';
import { frameDifference } from '../parity.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    source: { type: 'string' },
    driving: { type: 'string' },
    reference: { type: 'string' },
    device: { type: 'string', default: 'webgpu' },
    batches: { type: 'string', default: '1,4,16' },
    variants: { type: 'string', default: '' },
    repeats: { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});
const folder = await readModelFolder(values.model!);
const { width, height } = folder.manifest.inputSize;
const frameBytes = width * height * 3;
const source = new Uint8Array(readFileSync(values.source!)).subarray(0, frameBytes);
const driving = new Uint8Array(readFileSync(values.driving!));
const frames = driving.length / frameBytes;
const reference = values.reference ? new Uint8Array(readFileSync(values.reference)) : null;
const log = (line: string) => process.stderr.write(`${line}\n`);

const report: Record<string, unknown> = {
  model: folder.manifest.name,
  frames,
  availability: detectAvailability(() => ort.listSupportedBackends()),
  autoPlan: planProviders(
    'auto',
    detectAvailability(() => ort.listSupportedBackends()),
  ),
};

/** nvidia-smi, if this machine has it (the GPU machine does; a dry run does not). */
const hasNvidiaSmi = spawnSync('nvidia-smi', ['-L'], { stdio: 'ignore' }).status === 0;

/**
 * Samples the GPU's utilization (percent of time a kernel ran, per the driver) every 20 ms until stopped; null
 * without nvidia-smi. The driver's own averaging window is longer than 20 ms, so samples overlap: the mean is what
 * counts, over a run of at least a second.
 */
function sampleGpu(): () => Promise<{ meanBusy: number; samples: number } | null> {
  if (!hasNvidiaSmi) return async () => null;
  const child = spawn('nvidia-smi', ['--query-gpu=utilization.gpu', '--format=csv,noheader,nounits', '-lms', '20'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
  return async () => {
    const closed = new Promise((r) => child.once('close', r));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 2000); // a sampler that ignores SIGTERM cannot stall the check
    await closed;
    clearTimeout(kill);
    const values = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map(Number)
      .filter((v) => Number.isFinite(v) && v >= 0 && v <= 100);
    return values.length === 0 ? null : { meanBusy: values.reduce((a, b) => a + b, 0) / values.length / 100, samples: values.length };
  };
}

async function* fromMemory(batch: number): AsyncGenerator<FrameBatch> {
  for (let start = 0; start < frames; start += batch) {
    const count = Math.min(batch, frames - start);
    yield { frames: driving.slice(start * frameBytes, (start + count) * frameBytes), count, start };
  }
}

interface Variant {
  readonly label: string;
  readonly batch: number;
  readonly webgpu?: WebGpuTuning;
}

function parseVariant(text: string): Variant {
  const [settings, batchText] = text.split('@');
  const batch = Number(batchText);
  if (!settings || !Number.isInteger(batch) || batch < 1) throw new Error(`--variants: "${text}" is not settings@batch`);
  let webgpu: WebGpuTuning = {};
  for (const name of settings.split('+')) {
    if (name === 'nchw') webgpu = { ...webgpu, layout: 'NCHW' };
    else if (name === 'nhwc') webgpu = { ...webgpu, layout: 'NHWC' };
    else if (name === 'novalidate') webgpu = { ...webgpu, validation: 'disabled' };
    else throw new Error(`--variants: unknown setting "${name}" (nchw, nhwc, novalidate)`);
  }
  return { label: settings, batch, webgpu };
}

async function measure(device: DeviceRequest, variant: Variant, repeats: number): Promise<Record<string, unknown>> {
  const { batch } = variant;
  const worker = new InferenceWorker();
  try {
    const t = performance.now();
    const loaded = await worker.request('load', { modelDir: folder.dir, device, cpuThreads: 0, ...(variant.webgpu ? { webgpu: variant.webgpu } : {}) });
    const loadMs = performance.now() - t;
    const { warmMs } = await worker.request('warm', { count: batch });
    const runs: Array<Record<string, number>> = [];
    let output: Uint8Array | null = null;
    for (let r = 0; r < repeats; r++) {
      const jobId = `gpu-${batch}-${r}`;
      await worker.request('begin', { jobId, source: source.slice(), relative: true, adaptScale: true, cancelFlag: new SharedArrayBuffer(4) });
      const chunks: Uint8Array[] = [];
      const stopSampling = sampleGpu();
      const started = performance.now();
      const { timings } = await streamFrames(worker, jobId, fromMemory(batch), {
        size: { width, height },
        label: false,
        write: async (rgb) => void chunks.push(rgb),
      });
      const wallMs = performance.now() - started;
      const gpu = await stopSampling();
      await worker.request('end', { jobId });
      output = new Uint8Array(Buffer.concat(chunks));
      runs.push({
        msPerFrame: wallMs / frames,
        keypointsMs: timings.keypointsMs / frames,
        generatorMs: timings.generatorMs / frames,
        convertMs: timings.convertMs / frames,
        workerIdle: 1 - (timings.keypointsMs + timings.generatorMs) / timings.inferenceSpanMs,
        ...(gpu ? { gpuBusy: gpu.meanBusy, gpuSamples: gpu.samples } : {}),
      });
    }
    const best = runs.reduce((a, b) => (a['msPerFrame']! <= b['msPerFrame']! ? a : b));
    const parity = reference && output ? frameDifference(output, reference, frameBytes) : null;
    return {
      device,
      variant: variant.label,
      webgpu: variant.webgpu ?? {},
      provider: loaded.provider,
      reason: loaded.reason,
      rejected: loaded.rejected,
      batch,
      loadMs,
      warmMs,
      runs,
      best,
      parity,
    };
  } finally {
    await worker.terminate();
  }
}

const variants: Variant[] = [
  ...values
    .batches!.split(',')
    .filter(Boolean)
    .map((b) => ({ label: 'default', batch: Number(b) })),
  ...values.variants!.split(',').filter(Boolean).map(parseVariant),
];
const repeats = Math.max(1, Number(values.repeats));
const results: Array<Record<string, unknown>> = [];
report['results'] = results;
/** Written after every step, so a run stopped by a time limit keeps what it measured. */
function save(): void {
  if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
}

// What `auto` picks here, and why (load only).
const auto = new InferenceWorker();
try {
  const r = await auto.request('load', { modelDir: folder.dir, device: 'auto', cpuThreads: 0 });
  report['auto'] = { provider: r.provider, reason: r.reason, rejected: r.rejected };
  log(`auto chose ${r.provider} (${r.reason}); passed over: ${r.rejected.map((x) => `${x.provider}: ${x.reason}`).join('; ') || 'none'}`);
} catch (e) {
  report['auto'] = { error: (e as Error).message };
} finally {
  await auto.terminate();
}
save();

for (const variant of variants) {
  const { batch } = variant;
  log(`${values.device}, ${variant.label}, batch ${batch}…`);
  try {
    const r = await measure(values.device as DeviceRequest, variant, repeats);
    results.push(r);
    const best = r['best'] as Record<string, number>;
    const parity = r['parity'] as { meanAbs: number; maxAbs: number } | null;
    log(
      `  ${r['provider']}: ${best['msPerFrame']!.toFixed(2)} ms/frame (kp ${best['keypointsMs']!.toFixed(2)}, generator ${best['generatorMs']!.toFixed(2)}, ` +
        `worker idle ${(best['workerIdle']! * 100).toFixed(1)} %` +
        `${best['gpuBusy'] !== undefined ? `, GPU busy ${(best['gpuBusy'] * 100).toFixed(0)} %` : ''})` +
        `${parity ? `, parity mean ${(parity.meanAbs * 255).toFixed(3)}/255 max ${(parity.maxAbs * 255).toFixed(0)}/255` : ''}`,
    );
  } catch (e) {
    results.push({ device: values.device, variant: variant.label, batch, error: (e as Error).message });
    log(`  failed: ${(e as Error).message}`);
  }
  save();
}
if (!values.out) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
