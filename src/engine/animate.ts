import { rm } from 'node:fs/promises';
import { CancelledError, InputError } from './errors.js';
import type { AnimateOptions, AnimateResult } from './options.js';
import { checkJob, type CheckedInputs } from './pipeline/check.js';
import { finishJob } from './pipeline/finish.js';
import { generateFrames } from './pipeline/generate.js';
import { frameJob, type JobFraming } from './pipeline/frame.js';
import { describeJob, type EngineSettings, type Job } from './pipeline/job.js';
import { loadModel, type LoadedModel } from './pipeline/load.js';
import { startOutput, type JobResources } from './pipeline/output.js';
import { preparePhoto, type PreparedPhoto } from './pipeline/prepare.js';
import { chooseReference } from './pipeline/reference.js';
import type { InferenceWorker } from './worker/inference-worker.js';

export { DEFAULT_MODEL_DIR, defaultBatchSize } from './pipeline/load.js';

/**
 * The animation pipeline, in named stages (src/engine/pipeline/): check the inputs → load the model in the
 * worker → frame both inputs → prepare the photo → (choose the reference frame) → start the output → stream driving frames through
 * the worker into the encoder → finish. Frames are processed in batches with a bounded number in flight, so
 * memory stays flat whatever the video's length.
 */
export async function runAnimation(worker: InferenceWorker, engine: EngineSettings, options: AnimateOptions): Promise<AnimateResult> {
  try {
    return await pipeline(worker, engine, options);
  } catch (e) {
    // An abort at any step (probing, decoding the photo, loading) is a cancellation, whatever threw.
    if (options.signal?.aborted && !(e instanceof InputError) && !(e instanceof CancelledError)) throw new CancelledError();
    throw e;
  }
}

async function pipeline(worker: InferenceWorker, engine: EngineSettings, options: AnimateOptions): Promise<AnimateResult> {
  const job = describeJob(options, engine);
  const inputs = await checkJob(job);
  const model = await loadModel(worker, engine, job, inputs.video.estimatedFrames);
  const framing = await frameJob(worker, engine, job, inputs, model);
  const photo = await preparePhoto(job, inputs, model, framing);
  return runJob(worker, job, { inputs, model, framing, photo });
}

/** What the stages before the worker's job state learnt. */
interface Prepared {
  readonly inputs: CheckedInputs;
  readonly model: LoadedModel;
  readonly framing: JobFraming;
  readonly photo: PreparedPhoto;
}

/** The stages that hold the worker's job state and the encoder: whatever happens, both are released. */
async function runJob(worker: InferenceWorker, job: Job, prepared: Prepared): Promise<AnimateResult> {
  const { inputs, model, framing, photo } = prepared;
  const signal = job.signal;
  const cancelFlag = new SharedArrayBuffer(4);
  const cancelView = new Int32Array(cancelFlag);
  const onAbort = () => Atomics.store(cancelView, 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  const held: JobResources = { encoder: null, scratch: null };
  const adaptScale = job.options.adaptScale ?? true;
  const begun = await worker.request('begin', { jobId: job.id, source: photo.rgb, relative: job.mode === 'relative', adaptScale, cancelFlag });
  try {
    const reference = await chooseReference(worker, job, inputs, model, begun.kpSource, framing.videoRule);
    const sample = { frame: photo.backdrop ?? photo.rgb, size: photo.backdrop ? framing.output : model.size };
    const withAudio = await startOutput(job, inputs, model, sample, reference.total, held);
    const generated = await generateFrames(worker, job, inputs, model, held.encoder!, framing, photo, reference.total);
    return await finishJob(job, held, { inputs, model, photo, framing, reference, generated, withAudio });
  } catch (e) {
    Atomics.store(cancelView, 0, 1);
    if (signal?.aborted && !(e instanceof InputError)) throw new CancelledError();
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (held.encoder) await held.encoder.abort();
    if (held.scratch) await rm(held.scratch, { recursive: true, force: true });
    await worker.request('end', { jobId: job.id }).catch(() => undefined);
  }
}
