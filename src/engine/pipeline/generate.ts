import { faultPlan } from '../fault-injection.js';
import { streamFrames, type StreamTimings } from '../frame-stream.js';
import { decodeVideoFrames } from '../media/decode.js';
import type { FrameEncoder } from '../media/encode.js';
import { ProgressMeter } from '../progress.js';
import type { InferenceWorker } from '../worker/inference-worker.js';
import type { CheckedInputs } from './check.js';
import { throwIfAborted, type Job } from './job.js';
import type { LoadedModel } from './load.js';

export interface Generated {
  readonly timings: StreamTimings;
  readonly lastAlpha: number | null;
  readonly meter: ProgressMeter;
}

/** Stage 6: every driving frame decoded, animated by the worker and written to the encoder, a few batches in flight. */
export async function generateFrames(
  worker: InferenceWorker,
  job: Job,
  inputs: CheckedInputs,
  model: LoadedModel,
  encoder: FrameEncoder,
  total: number | null,
): Promise<Generated> {
  const meter = new ProgressMeter('generating', total);
  job.report(meter.snapshot());
  const size = model.size;
  const frames = decodeVideoFrames(job.options.driving, inputs.videoInfo, {
    target: size,
    crop: job.crop,
    limits: job.limits,
    batchSize: model.batchSize,
    signal: job.signal,
  });
  const streamed = await streamFrames(worker, job.id, frames, {
    size,
    label: job.options.label ?? true,
    write: (rgb, count) => encoder.write(rgb, count),
    onWritten: (count) => job.report(meter.advance(count)),
    checkAborted: () => throwIfAborted(job.signal),
    nextFault: () => faultPlan().nextGenerate(),
  });
  return { timings: streamed.timings, lastAlpha: streamed.lastAlpha, meter };
}
