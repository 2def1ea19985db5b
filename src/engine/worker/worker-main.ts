/**
 * The inference worker thread: owns the onnxruntime sessions (loaded once,
 * reused across jobs), turns decoded frames into generated frames, and keeps
 * the per-job state (source, keypoints, normalisation). The main thread stays
 * free for I/O (ffmpeg pipes, Discord's gateway).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { lowerPriority } from '../media/background-priority.js';
import { readModelFolder } from '../model/model-folder.js';
import type { DeviceRequest } from '../model/execution-provider.js';
import type { FaultKind } from '../fault-injection.js';
import { FaceDetector } from '../framing/face-detector.js';
import { InferenceJob } from './inference-job.js';
import { ModelRunner } from './model-runner.js';
import type { Requests, SerializedError, WorkerRequest, WorkerResponse } from './protocol.js';
import { RunGuard } from './run-guard.js';

if (!parentPort) throw new Error('worker-main must run in a worker thread');
const port = parentPort;
const data = workerData as { control: SharedArrayBuffer; niceness: number };
const guard = new RunGuard(data.control);
// This thread's priority (on Linux a thread's own; onnxruntime's compute threads, made from it, inherit it).
lowerPriority(0, data.niceness);

let runner: ModelRunner | null = null;
let runnerKey = '';
const jobs = new Map<string, InferenceJob>();
/** Opened on the first request for faces, kept for later jobs. */
let faceDetector: Promise<FaceDetector> | null = null;

type Handlers = { [K in keyof Requests]: (args: Requests[K]['args']) => Promise<Requests[K]['result']> };

const handlers: Handlers = {
  async load({ modelDir, device, cpuThreads, webgpu }) {
    const key = `${modelDir}\0${device}\0${cpuThreads}\0${JSON.stringify(webgpu ?? {})}`;
    const started = performance.now();
    if (runner && runnerKey === key) {
      return { ...choice(runner), manifest: runner.model.manifest, loadMs: 0, reused: true };
    }
    const folder = await readModelFolder(modelDir);
    const next = await ModelRunner.open(folder, { device: device as DeviceRequest, cpuThreads, guard, ...(webgpu ? { webgpu } : {}) });
    if (runner) await runner.release();
    runner = next;
    runnerKey = key;
    return { ...choice(next), manifest: folder.manifest, loadMs: performance.now() - started, reused: false };
  },
  async warm({ count }) {
    return { warmMs: await requireRunner().warm(count) };
  },
  async begin(args) {
    const job = await InferenceJob.start(requireRunner(), args);
    jobs.set(args.jobId, job);
    return { kpSource: job.kpSource, kpMs: job.kpSourceMs };
  },
  async keypoints({ jobId, frames, count }) {
    return requireJob(jobId).keypoints(frames, count);
  },
  async 'set-initial'({ jobId, keypoints }) {
    return { alpha: requireJob(jobId).setInitial(keypoints) };
  },
  async generate({ jobId, frames, count, fault }) {
    if (fault) await injectFault(fault, requireJob(jobId));
    return requireJob(jobId).generate(frames, count);
  },
  async faces({ pictures, count, inputSize, cpuThreads }) {
    const fresh = faceDetector === null;
    faceDetector ??= FaceDetector.open(cpuThreads);
    const detector = await faceDetector.catch((e: unknown) => {
      faceDetector = null;
      throw e;
    });
    const started = performance.now();
    const { grids, cells } = await guard.run(() => detector.detect(pictures, count, inputSize));
    return { grids, cells, detectMs: performance.now() - started, startMs: fresh ? detector.startMs : 0 };
  },
  async end({ jobId }) {
    jobs.delete(jobId);
    return {};
  },
};

/** Test-only chaos (see fault-injection.ts): an uncaught exception, heap exhaustion, or a batch that never ends by itself. */
async function injectFault(fault: FaultKind, job: InferenceJob): Promise<void> {
  if (fault === 'worker-stall') {
    while (!job.cancelled) await new Promise((resolve) => setTimeout(resolve, 50));
    return;
  }
  if (fault === 'worker-crash') {
    setImmediate(() => {
      throw new Error('injected worker crash (MARIONETTE_FAULT)');
    });
    return;
  }
  const hog: number[][] = [];
  for (;;) hog.push(Array.from({ length: 1 << 20 }, (_, i) => i * Math.random()));
}

function choice(r: ModelRunner) {
  return { provider: r.choice.provider, reason: r.choice.reason, rejected: [...r.choice.rejected] };
}

function requireRunner(): ModelRunner {
  if (!runner) throw new Error('no model loaded');
  return runner;
}

function requireJob(jobId: string): InferenceJob {
  const job = jobs.get(jobId);
  if (!job) throw new Error(`no job ${jobId} in the worker`);
  return job;
}

function serialize(e: unknown): SerializedError {
  if (e instanceof InputError) return { name: e.name, message: e.message, code: e.code, context: { ...e.context } };
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, stack: err.stack };
}

// Requests are handled strictly one after another, in arrival order.
let chain: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  chain = chain.then(async () => {
    let response: WorkerResponse;
    const transfer: ArrayBuffer[] = [];
    try {
      const handler = handlers[request.type] as (args: unknown) => Promise<unknown>;
      const result = await handler(request.args);
      if (request.type === 'generate') transfer.push((result as Requests['generate']['result']).prediction.data.buffer as ArrayBuffer);
      if (request.type === 'faces') transfer.push((result as Requests['faces']['result']).grids.buffer as ArrayBuffer);
      response = { id: request.id, ok: true, result };
    } catch (e) {
      response = { id: request.id, ok: false, error: serialize(e) };
    }
    port.postMessage(response, transfer);
  });
});
