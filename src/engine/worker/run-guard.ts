/**
 * Stopping the inference worker safely. A worker terminated while onnxruntime
 * runs a model natively brings the whole process down: the binding cannot
 * return its results into a thread that is being torn down ("terminate called
 * after throwing an instance of 'Napi::Error'"). So the worker marks each model
 * run in a shared flag, and the main thread, before terminating it, asks it to
 * start no new run and waits for the one in progress to end.
 *
 * Protocol (sequentially consistent atomics): the worker sets BUSY, then reads
 * STOP; the main thread sets STOP, then waits for BUSY to clear. Either the
 * main thread sees BUSY and waits, or the worker sees STOP and does not run.
 */
const BUSY = 0;
const STOP = 1;

// Atomics.waitAsync is in Node 20 (V8) but in TypeScript's lib only from ES2024.
type WaitAsync = (view: Int32Array, index: number, value: number, timeoutMs: number) => { async: false } | { async: true; value: Promise<unknown> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export function createRunControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

export class StoppingError extends Error {
  constructor() {
    super('the inference worker is stopping');
    this.name = 'StoppingError';
  }
}

/** The worker's side: wraps every native model run. */
export class RunGuard {
  private readonly flags: Int32Array;

  constructor(control: SharedArrayBuffer) {
    this.flags = new Int32Array(control);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    Atomics.store(this.flags, BUSY, 1);
    try {
      if (Atomics.load(this.flags, STOP) !== 0) throw new StoppingError();
      return await task();
    } finally {
      Atomics.store(this.flags, BUSY, 0);
      Atomics.notify(this.flags, BUSY);
    }
  }
}

/**
 * The main thread's side: no new run starts after this; resolves once no run is
 * in progress, or after `timeoutMs` (a run that never ends is not waited for).
 * Returns whether the worker is idle.
 */
export async function stopRuns(control: SharedArrayBuffer, timeoutMs: number): Promise<boolean> {
  const flags = new Int32Array(control);
  Atomics.store(flags, STOP, 1);
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(flags, BUSY) !== 0) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    const wait = waitAsync(flags, BUSY, 1, left);
    if (wait.async) await wait.value;
  }
  return true;
}
