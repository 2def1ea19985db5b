import { InputError } from '../errors.js';
import { BestFrameTracker, frameKeypoints, type Keypoints } from '../keypoints/index.js';
import type { CropRule } from '../media/crop.js';
import { decodeVideoFrames, type FrameBatch } from '../media/decode.js';
import { ProgressMeter } from '../progress.js';
import type { InferenceWorker } from '../worker/inference-worker.js';
import type { SerializedKeypoints } from '../worker/protocol.js';
import { rgb24ToPlanar } from '../worker/tensor-layout.js';
import type { CheckedInputs } from './check.js';
import type { Job } from './job.js';
import type { LoadedModel } from './load.js';

/** The driving frame relative motion starts from (kp_driving_initial), and what finding it taught. */
export interface Reference {
  readonly index: number;
  /** Frames in the video: exact when the search read it all, else the header's estimate. */
  readonly total: number | null;
  /** The movement scale the worker set from it; null when frame 0 is used as it comes. */
  readonly alpha: number | null;
  readonly referenceMs: number;
}

/** Stage 4 (with --best-frame only): a keypoints-only pass over the driving video picks the reference frame. */
export async function chooseReference(
  worker: InferenceWorker,
  job: Job,
  inputs: CheckedInputs,
  model: LoadedModel,
  kpSource: SerializedKeypoints,
  crop: CropRule,
): Promise<Reference> {
  const t = performance.now();
  const bestFrame = job.options.bestFrame ?? 'off';
  const estimated = inputs.video.estimatedFrames;
  if (bestFrame === 'off') return { index: 0, total: estimated, alpha: null, referenceMs: performance.now() - t };
  const found = await findReference(worker, job, inputs, model, { bestFrame, total: estimated, kpSource, crop });
  const alpha = (await worker.request('set-initial', { jobId: job.id, keypoints: found.keypoints })).alpha;
  job.log.info('reference frame chosen', { referenceFrame: found.index, bestFrame, alpha });
  return { index: found.index, total: found.framesSeen ?? estimated, alpha, referenceMs: performance.now() - t };
}

interface ReferenceSearch {
  readonly bestFrame: 'auto' | number;
  readonly total: number | null;
  readonly kpSource: Keypoints;
  readonly crop: CropRule;
}

/** First pass over the driving video: keypoints only, to pick kp_driving_initial. */
async function findReference(
  worker: InferenceWorker,
  job: Job,
  inputs: CheckedInputs,
  model: LoadedModel,
  s: ReferenceSearch,
): Promise<{ index: number; keypoints: Keypoints; framesSeen: number | null }> {
  const meter = new ProgressMeter('reference', s.bestFrame === 'auto' ? s.total : s.bestFrame + 1);
  const tracker = new BestFrameTracker(s.kpSource);
  const size = model.size;
  let target: Keypoints | null = null;
  let seen = 0;
  const frames = decodeVideoFrames(job.options.driving, inputs.videoInfo, {
    target: size,
    crop: s.crop,
    limits: job.limits,
    batchSize: model.batchSize,
    signal: job.signal,
    ...(s.bestFrame === 'auto' ? {} : { maxFrames: s.bestFrame + 1 }),
  });
  for await (const batch of frames as AsyncIterable<FrameBatch>) {
    const planar = rgb24ToPlanar(batch.frames, batch.count, size.width, size.height);
    const kp = await worker.request('keypoints', { jobId: job.id, frames: planar, count: batch.count }, [planar.buffer as ArrayBuffer]);
    const k = kp.values.length / 2 / batch.count;
    for (let n = 0; n < batch.count; n++) {
      const frame = frameKeypoints(kp.values, kp.jacobians, k, n);
      if (s.bestFrame === 'auto') tracker.offer(frame);
      else if (seen + n === s.bestFrame) target = frame;
    }
    seen += batch.count;
    job.report(meter.advance(batch.count));
  }
  if (s.bestFrame === 'auto') {
    const best = tracker.best;
    return { index: best.index, keypoints: best.keypoints, framesSeen: seen };
  }
  if (!target) {
    throw new InputError('bad-option', `The driving video has only ${seen} frames; the best frame must be from 0 to ${seen - 1}.`);
  }
  return { index: s.bestFrame, keypoints: target, framesSeen: null };
}
