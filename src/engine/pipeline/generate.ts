import { faultPlan } from '../fault-injection.js';
import { streamFrames, type StreamTimings } from '../frame-stream.js';
import { decodeVideoFrames } from '../media/decode.js';
import type { FrameEncoder } from '../media/encode.js';
import { ProgressMeter } from '../progress.js';
import type { InferenceWorker } from '../worker/inference-worker.js';
import type { CheckedInputs } from './check.js';
import { throwIfAborted, type Job } from './job.js';
import { PasteBack } from '../framing/paste-back.js';
import type { JobFraming } from './frame.js';
import type { LoadedModel } from './load.js';
import type { PreparedPhoto } from './prepare.js';

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
  framing: JobFraming,
  photo: PreparedPhoto,
  total: number | null,
): Promise<Generated> {
  const meter = new ProgressMeter('generating', total);
  job.report(meter.snapshot());
  const size = model.size;
  const frames = decodeVideoFrames(job.options.driving, inputs.videoInfo, {
    target: size,
    crop: framing.videoRule,
    limits: job.limits,
    batchSize: model.batchSize,
    signal: job.signal,
  });
  const paste = pasteBack(framing, photo, size);
  const streamed = await streamFrames(worker, job.id, frames, {
    size,
    outputSize: framing.output,
    ...(paste ? { compose: (generated: Uint8Array, out: Uint8Array) => paste.compose(generated, out) } : {}),
    label: job.options.label ?? true,
    write: (rgb, count) => encoder.write(rgb, count),
    onWritten: (count) => job.report(meter.advance(count)),
    checkAborted: () => throwIfAborted(job.signal),
    nextFault: () => faultPlan().nextGenerate(),
  });
  return { timings: streamed.timings, lastAlpha: streamed.lastAlpha, meter };
}

/** The paste-back compositor, when the clip is the photo: the region scaled from the photo's pixels to the clip's. */
function pasteBack(framing: JobFraming, photo: PreparedPhoto, model: { width: number; height: number }): PasteBack | null {
  const region = framing.pasteRegion;
  if (!region || !photo.backdrop) return null;
  const { size } = framing.report.photo;
  const sx = framing.output.width / size.width;
  const sy = framing.output.height / size.height;
  const scaled = { x: region.x * sx, y: region.y * sy, width: region.width * sx, height: region.height * sy };
  return new PasteBack(photo.backdrop, { output: framing.output, region: scaled, model });
}
