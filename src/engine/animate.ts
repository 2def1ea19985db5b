import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { silentLogger, type Logger } from '../util/log.js';
import { CancelledError, InputError } from './errors.js';
import { BestFrameTracker, frameKeypoints, type Keypoints } from './keypoints/index.js';
import { centredCrop, type CropRule } from './media/crop.js';
import { decodePhoto, decodeVideoFrames, type FrameBatch } from './media/decode.js';
import { FrameEncoder, makeGifPalette } from './media/encode.js';
import { burnLabel, placeLabel } from './media/label/label.js';
import { decoderPixelCap, withLimits } from './media/limits.js';
import { checkPhoto, checkVideo } from './media/media-checks.js';
import { outputFormatFor, supportsAudio } from './media/output-format.js';
import { probeMedia } from './media/probe.js';
import { provenanceTags } from './media/provenance.js';
import type { DeviceRequest, ProviderName } from './model/execution-provider.js';
import type { AnimateOptions, AnimateResult } from './options.js';
import { faultPlan } from './fault-injection.js';
import { ProgressMeter } from './progress.js';
import { streamFrames } from './frame-stream.js';
import type { InferenceWorker } from './worker/inference-worker.js';
import { rgb24ToPlanar } from './worker/tensor-layout.js';
import { PROJECT_ROOT, VERSION } from '../version.js';

/** The built-in demo model, shipped with the project. */
export const DEFAULT_MODEL_DIR = join(PROJECT_ROOT, 'models', 'default');
export function defaultBatchSize(provider: ProviderName): number {
  return provider === 'cpu' ? 4 : 16;
}

/**
 * The animation pipeline: check inputs → load the model in the worker → decode
 * the photo → (choose the reference frame) → stream driving frames through the
 * worker into the encoder. Frames are processed in batches with a bounded
 * number in flight, so memory stays flat whatever the video's length.
 */
export async function runAnimation(
  worker: InferenceWorker,
  engine: { device: DeviceRequest; cpuThreads: number; logger?: Logger },
  options: AnimateOptions,
): Promise<AnimateResult> {
  try {
    return await pipeline(worker, engine, options);
  } catch (e) {
    // An abort at any step (probing, decoding the photo, loading) is a cancellation, whatever threw.
    if (options.signal?.aborted && !(e instanceof InputError) && !(e instanceof CancelledError)) throw new CancelledError();
    throw e;
  }
}

async function pipeline(
  worker: InferenceWorker,
  engine: { device: DeviceRequest; cpuThreads: number; logger?: Logger },
  options: AnimateOptions,
): Promise<AnimateResult> {
  const started = performance.now();
  const jobId = options.jobId ?? randomBytes(6).toString('hex');
  const log = (engine.logger ?? silentLogger).child({ job: jobId });
  const signal = options.signal;
  const limits = withLimits(options.limits);
  const crop = options.crop ?? centredCrop;
  const mode = options.mode ?? 'relative';
  const format = outputFormatFor(options.output);
  const output = resolve(options.output);
  const report = options.onProgress ?? (() => undefined);
  throwIfAborted(signal);

  if ([resolve(options.source), resolve(options.driving)].includes(output)) {
    throw new InputError('bad-option', 'The output file must not be the photo or the driving video itself.');
  }
  const outDir = await stat(dirname(output)).catch(() => null);
  if (!outDir?.isDirectory()) {
    throw new InputError('bad-option', 'The output file cannot be written: its folder does not exist.', { output });
  }

  report({ phase: 'checking', framesDone: 0, framesTotal: null, percent: null, fps: null, etaSeconds: null });
  let t = performance.now();
  const [photoInfo, videoInfo] = await Promise.all([probeMedia(options.source, 'photo', limits, signal), probeMedia(options.driving, 'video', limits, signal)]);
  checkPhoto(photoInfo, limits);
  const video = checkVideo(videoInfo, limits);
  const probeMs = performance.now() - t;
  if (typeof options.bestFrame === 'number' && (!Number.isInteger(options.bestFrame) || options.bestFrame < 0)) {
    throw new InputError('bad-option', 'The best frame must be "off", "auto" or a frame number from 0.');
  }

  report({ phase: 'loading', framesDone: 0, framesTotal: video.estimatedFrames, percent: null, fps: null, etaSeconds: null });
  t = performance.now();
  const loaded = await worker.request('load', { modelDir: resolve(options.model ?? DEFAULT_MODEL_DIR), device: engine.device, cpuThreads: engine.cpuThreads });
  const loadMs = performance.now() - t;
  if (!loaded.reused) {
    log.info('model loaded', {
      model: loaded.manifest.name,
      provider: loaded.provider,
      why: loaded.reason,
      rejected: loaded.rejected,
      loadMs: Math.round(loaded.loadMs),
    });
  }
  const size = loaded.manifest.inputSize;
  const batchSize = Math.max(1, Math.min(256, options.batchSize ?? defaultBatchSize(loaded.provider)));

  t = performance.now();
  const photo = await decodePhoto(options.source, photoInfo, size, crop, signal);
  const photoMs = performance.now() - t;
  const label = options.label ?? true;
  const cancelFlag = new SharedArrayBuffer(4);
  const cancelView = new Int32Array(cancelFlag);
  const onAbort = () => Atomics.store(cancelView, 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });

  let encoder: FrameEncoder | null = null;
  let scratch: string | null = null;
  const begun = await worker.request('begin', { jobId, source: photo, relative: mode === 'relative', adaptScale: options.adaptScale ?? true, cancelFlag });
  try {
    // The reference frame (kp_driving_initial): frame 0 unless chosen.
    t = performance.now();
    const bestFrame = options.bestFrame ?? 'off';
    let referenceFrame = 0;
    let total = video.estimatedFrames;
    let alpha: number | null = null;
    if (bestFrame !== 'off') {
      const reference = await findReference(worker, jobId, options.driving, videoInfo, {
        size,
        crop,
        limits,
        batchSize,
        signal,
        bestFrame,
        report,
        total,
        kpSource: begun.kpSource,
      });
      referenceFrame = reference.index;
      total = reference.framesSeen ?? total;
      alpha = (await worker.request('set-initial', { jobId, keypoints: reference.keypoints })).alpha;
      log.info('reference frame chosen', { referenceFrame, bestFrame, alpha });
    }
    const referenceMs = performance.now() - t;

    const withAudio = (options.audio ?? true) && videoInfo.audio !== null && supportsAudio(format);
    let gifPalette: string | undefined;
    if (format === 'gif') {
      scratch = await mkdtemp(join(tmpdir(), 'marionette-'));
      gifPalette = join(scratch, 'palette.png');
      // From the photo as the frames will look: with the label burned in, its white, black and box colours get
      // palette entries (from the bare photo, a photo of few colours left the label none, and it vanished).
      const sample = Uint8Array.from(photo);
      if (label) burnLabel(sample, size.width, size.height, placeLabel(size.width, size.height));
      await makeGifPalette(sample, size, gifPalette);
    }
    const fps = video.stream.frameRate!;
    // The audio is cut to the clip's length: the exact frame count over the rate where the header counts frames
    // (a file whose audio outlasts its video must not freeze the last frame), else the file's duration.
    const rate = fps.num / fps.den;
    const exactFrames = video.stream.frameCountExact ? video.stream.frameCount : null;
    // (The encoder also cuts the audio at the last frame; this bounds what it reads where headers count no frames.)
    const audioSeconds = Math.min(
      exactFrames !== null ? exactFrames / rate : (videoInfo.durationSeconds ?? (total ?? limits.maxFrames) / rate),
      limits.maxDurationSeconds,
    );
    encoder = FrameEncoder.start({
      output,
      format,
      size,
      fps,
      audio: withAudio
        ? {
            path: options.driving,
            demuxer: videoInfo.demuxer,
            durationSeconds: audioSeconds,
            channels: videoInfo.audio!.channels,
            caps: { maxPixels: decoderPixelCap('video', limits), maxStreams: limits.maxStreams },
          }
        : null,
      tags: provenanceTags({ modelName: loaded.manifest.name, version: VERSION }),
      gifPalette,
      settings: options.encode,
    });

    const meter = new ProgressMeter('generating', total);
    report(meter.snapshot());
    const frames = decodeVideoFrames(options.driving, videoInfo, { target: size, crop, limits, batchSize, signal });
    const streamed = await streamFrames(worker, jobId, frames, {
      size,
      label,
      write: (rgb, count) => encoder!.write(rgb, count),
      onWritten: (count) => report(meter.advance(count)),
      checkAborted: () => throwIfAborted(signal),
      nextFault: () => faultPlan().nextGenerate(),
    });
    const timings = streamed.timings;
    const lastAlpha = streamed.lastAlpha ?? alpha ?? 1;

    report({ ...meter.snapshot(), phase: 'finishing' });
    const w = performance.now();
    const written = await encoder.finish();
    timings.encodeWaitMs += performance.now() - w;
    encoder = null;
    const frameCount = meter.snapshot().framesDone;
    const fpsValue = fps.num / fps.den;
    const result: AnimateResult = {
      output: written.path,
      format,
      bytes: written.bytes,
      frames: frameCount,
      fps: fpsValue,
      durationSeconds: frameCount / fpsValue,
      width: size.width,
      height: size.height,
      model: { name: loaded.manifest.name, dir: resolve(options.model ?? DEFAULT_MODEL_DIR) },
      provider: loaded.provider,
      providerChoice: { reason: loaded.reason, passedOver: loaded.rejected },
      mode,
      referenceFrame,
      movementScale: mode === 'relative' ? lastAlpha : 1,
      audio: withAudio,
      label,
      timings: { probeMs, loadMs, photoMs, referenceMs, ...timings, totalMs: performance.now() - started },
    };
    log.info('animation done', { frames: result.frames, bytes: result.bytes, provider: result.provider, totalMs: Math.round(result.timings.totalMs) });
    return result;
  } catch (e) {
    Atomics.store(cancelView, 0, 1);
    if (signal?.aborted && !(e instanceof InputError)) throw new CancelledError();
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (encoder) await encoder.abort();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    await worker.request('end', { jobId }).catch(() => undefined);
  }
}

interface ReferenceSearch {
  readonly size: { width: number; height: number };
  readonly crop: CropRule;
  readonly limits: ReturnType<typeof withLimits>;
  readonly batchSize: number;
  readonly signal: AbortSignal | undefined;
  readonly bestFrame: 'auto' | number;
  readonly report: NonNullable<AnimateOptions['onProgress']>;
  readonly total: number | null;
  readonly kpSource: Keypoints;
}

/** First pass over the driving video: keypoints only, to pick kp_driving_initial. */
async function findReference(
  worker: InferenceWorker,
  jobId: string,
  driving: string,
  videoInfo: Awaited<ReturnType<typeof probeMedia>>,
  s: ReferenceSearch,
): Promise<{ index: number; keypoints: Keypoints; framesSeen: number | null }> {
  const meter = new ProgressMeter('reference', s.bestFrame === 'auto' ? s.total : s.bestFrame + 1);
  const tracker = new BestFrameTracker(s.kpSource);
  let target: Keypoints | null = null;
  let seen = 0;
  const frames = decodeVideoFrames(driving, videoInfo, {
    target: s.size,
    crop: s.crop,
    limits: s.limits,
    batchSize: s.batchSize,
    signal: s.signal,
    ...(s.bestFrame === 'auto' ? {} : { maxFrames: s.bestFrame + 1 }),
  });
  for await (const batch of frames as AsyncIterable<FrameBatch>) {
    const planar = rgb24ToPlanar(batch.frames, batch.count, s.size.width, s.size.height);
    const kp = await worker.request('keypoints', { jobId, frames: planar, count: batch.count }, [planar.buffer as ArrayBuffer]);
    const k = kp.values.length / 2 / batch.count;
    for (let n = 0; n < batch.count; n++) {
      const frame = frameKeypoints(kp.values, kp.jacobians, k, n);
      if (s.bestFrame === 'auto') tracker.offer(frame);
      else if (seen + n === s.bestFrame) target = frame;
    }
    seen += batch.count;
    s.report(meter.advance(batch.count));
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

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
