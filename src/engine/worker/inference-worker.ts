import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngineError, InputError, type InputErrorCode } from '../errors.js';
import type { RequestType, Requests, SerializedError, WorkerRequest, WorkerResponse } from './protocol.js';
import { createRunControl, stopRuns } from './run-guard.js';

/** How long terminate() waits for a model run in progress before stopping the worker anyway. */
const STOP_WAIT_MS = 120_000;

/**
 * The main-thread handle on the inference worker: typed request/response over
 * postMessage, with every pending request failed clearly if the worker dies
 * (a crash, out of memory, or terminate()).
 */
interface Pending {
  readonly type: RequestType;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}

export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: Error | null = null;
  private readonly control = createRunControl();

  /**
   * The worker's JavaScript heap is capped (frames and tensors live outside it,
   * in array buffers and onnxruntime's memory): a runaway in the worker ends the
   * worker, not the process.
   */
  constructor(options: { maxHeapMb?: number; niceness?: number } = {}) {
    this.worker = new Worker(workerScript(), {
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 512 },
      stdout: false,
      stderr: false,
      workerData: { control: this.control, niceness: options.niceness ?? 0 },
    });
    this.worker.on('message', (m: WorkerResponse) => this.settle(m));
    this.worker.on('error', (e) => this.fail(new EngineError(`The inference worker crashed: ${e.message}`, {}, { cause: e })));
    this.worker.on('exit', (code) => this.fail(new EngineError(`The inference worker stopped (exit code ${code}).`, { code })));
    // An uncaught error or running out of heap arrives as 'error' (ERR_WORKER_OUT_OF_MEMORY) before 'exit'.
  }

  get alive(): boolean {
    return this.exited === null;
  }

  request<K extends RequestType>(type: K, args: Requests[K]['args'], transfer: ArrayBuffer[] = []): Promise<Requests[K]['result']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject });
      const message = { id, type, args } as WorkerRequest;
      this.worker.postMessage(message, transfer);
    });
  }

  /**
   * Fails every pending request at once, then stops the worker once no model
   * run is in progress (see run-guard.ts: stopping it inside one would abort
   * the whole process).
   */
  async terminate(): Promise<void> {
    if (this.exited) return;
    this.fail(new EngineError('The inference worker was shut down.'));
    await stopRuns(this.control, STOP_WAIT_MS);
    await this.worker.terminate();
  }

  private settle(m: WorkerResponse): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(deserialize(m.error));
  }

  private fail(error: Error): void {
    if (!this.exited) this.exited = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

function deserialize(e: SerializedError): Error {
  if (e.name === 'InputError' && e.code) return new InputError(e.code as InputErrorCode, e.message, e.context ?? {});
  const err = new EngineError(e.message, e.context ?? {});
  if (e.stack) err.stack = `${err.name}: ${e.message} (in the inference worker)\n${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

/**
 * The compiled worker entry. When the engine itself runs from TypeScript
 * sources (under vitest), the worker still runs the compiled JavaScript in
 * dist/, which the test command builds first.
 */
function workerScript(): URL {
  const here = new URL('./worker-main.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const compiled = new URL(here.href.replace('/src/engine/worker/', '/dist/src/engine/worker/'));
  if (existsSync(fileURLToPath(compiled))) return compiled;
  throw new EngineError(`The inference worker script is missing (${fileURLToPath(here)}); run "npm run build" first.`);
}
