import type { FrameBatch } from './media/decode.js';
import { burnLabel, placeLabel } from './media/label/label.js';
import type { InferenceWorker } from './worker/inference-worker.js';
import type { Requests } from './worker/protocol.js';
import { predictionToRgb24, rgb24ToPlanar } from './worker/tensor-layout.js';

/** Batches in flight between decoder, worker and encoder: decode and encode overlap inference. */
export const PIPELINE_DEPTH = 2;

export interface StreamTimings {
  /** Waiting for decoded frames. */
  decodeWaitMs: number;
  keypointsMs: number;
  generatorMs: number;
  /** Layout conversions and the label, on this thread while the worker runs. */
  convertMs: number;
  /** Waiting for the sink (the encoder's backpressure). */
  encodeWaitMs: number;
  /** From the first batch sent to the worker to the last one back. */
  inferenceSpanMs: number;
}

export interface FrameStreamOptions {
  /** The generated frames' size (the model's). */
  readonly size: { readonly width: number; readonly height: number };
  /** The written frames' size, when `compose` makes them from the generated ones (paste-back); default `size`. */
  readonly outputSize?: { readonly width: number; readonly height: number };
  /** Makes one written frame from one generated frame (RGB24 both), into `out`. */
  readonly compose?: (generated: Uint8Array, out: Uint8Array) => void;
  readonly label: boolean;
  /** Generated RGB24 frames, in order; awaited (backpressure). */
  readonly write: (frames: Uint8Array, count: number) => Promise<void>;
  /** Called after each batch is written, with its frame count. */
  readonly onWritten?: (count: number) => void;
  /** Checked between batches; throws to stop. */
  readonly checkAborted?: () => void;
  /** Test-only chaos for the next batch's worker request (fault-injection.ts). */
  readonly nextFault?: () => Requests['generate']['args']['fault'];
}

/**
 * The generating phase of a job: driving frames (RGB24 batches) through the
 * worker (keypoints → normalize_kp → generator) into `write`. PIPELINE_DEPTH
 * batches are in flight, so decoding, the main thread's layout work and the
 * encoder overlap the models; memory stays bounded whatever the video's length.
 */
export async function streamFrames(
  worker: InferenceWorker,
  jobId: string,
  batches: AsyncIterable<FrameBatch>,
  options: FrameStreamOptions,
): Promise<{ timings: StreamTimings; lastAlpha: number | null }> {
  const timings: StreamTimings = { decodeWaitMs: 0, keypointsMs: 0, generatorMs: 0, convertMs: 0, encodeWaitMs: 0, inferenceSpanMs: 0 };
  const { width, height } = options.size;
  const out = options.outputSize ?? options.size;
  const labelPlacement = options.label ? placeLabel(out.width, out.height) : null;
  let lastAlpha: number | null = null;
  let firstSent: number | null = null;
  const inflight: Array<Promise<Requests['generate']['result']>> = [];
  const writeNext = async () => {
    const result = await inflight.shift()!;
    timings.inferenceSpanMs = performance.now() - firstSent!;
    timings.keypointsMs += result.kpMs;
    timings.generatorMs += result.generatorMs;
    lastAlpha = result.alpha;
    const c = performance.now();
    const rgb = composed(predictionToRgb24(result.prediction, result.count, width, height), result.count, options);
    if (labelPlacement) {
      const frameBytes = out.width * out.height * 3;
      for (let n = 0; n < result.count; n++) burnLabel(rgb.subarray(n * frameBytes, (n + 1) * frameBytes), out.width, out.height, labelPlacement);
    }
    timings.convertMs += performance.now() - c;
    const w = performance.now();
    await options.write(rgb, result.count);
    timings.encodeWaitMs += performance.now() - w;
    options.onWritten?.(result.count);
  };
  let w = performance.now();
  for await (const batch of batches) {
    timings.decodeWaitMs += performance.now() - w;
    const c = performance.now();
    const planar = rgb24ToPlanar(batch.frames, batch.count, width, height);
    timings.convertMs += performance.now() - c;
    firstSent ??= performance.now();
    const fault = options.nextFault?.();
    const pending = worker.request('generate', { jobId, frames: planar, count: batch.count, ...(fault ? { fault } : {}) }, [planar.buffer as ArrayBuffer]);
    pending.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
    inflight.push(pending);
    if (inflight.length >= PIPELINE_DEPTH) await writeNext();
    options.checkAborted?.();
    w = performance.now();
  }
  while (inflight.length > 0) await writeNext();
  options.checkAborted?.();
  return { timings, lastAlpha };
}

/** The frames to write: the generated ones as they are, or each composed into an output frame (paste-back). */
function composed(generated: Uint8Array, count: number, options: FrameStreamOptions): Uint8Array {
  if (!options.compose || !options.outputSize) return generated;
  const inBytes = options.size.width * options.size.height * 3;
  const outBytes = options.outputSize.width * options.outputSize.height * 3;
  const frames = new Uint8Array(count * outBytes);
  for (let n = 0; n < count; n++) options.compose(generated.subarray(n * inBytes, (n + 1) * inBytes), frames.subarray(n * outBytes, (n + 1) * outBytes));
  return frames;
}
