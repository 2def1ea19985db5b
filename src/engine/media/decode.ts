import { spawn } from 'node:child_process';
import { EngineError, InputError } from '../errors.js';
import { cropScaleFilters, type CropRule, type Size } from './crop.js';
import { orientationFilters, readOrientation, swapsSides } from './exif-orientation.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { readExifBytes } from './file-head.js';
import { inputArgs } from './input-policy.js';
import { formatSeconds, paddedPixels, type MediaLimits } from './limits.js';
import { tooManyFrames } from './media-checks.js';
import { rationalValue, type MediaInfo, type VideoStreamInfo } from './media-info.js';
import { runProcess, signalStopError, StderrTail, waitForExit } from './process.js';
import { atBackgroundPriority } from './background-priority.js';

/**
 * Decoding user media to what the models eat: packed RGB24 at the model's
 * input size, cropped by the crop rule. Photos honour EXIF orientation; video
 * frames stream out of ffmpeg in batches, one frame in, one frame out
 * (no frame-rate conversion), so memory does not grow with video length.
 */
export async function decodePhoto(path: string, info: MediaInfo, target: Size, crop: CropRule, signal?: AbortSignal): Promise<Uint8Array> {
  const orientation = readOrientation(await readExifBytes(path));
  const stored = info.video!;
  const shown: Size = swapsSides(orientation) ? { width: stored.height, height: stored.width } : { width: stored.width, height: stored.height };
  const filters = [...orientationFilters(orientation), ...cropScaleFilters(crop, shown, target), 'format=rgb24'];
  const { ffmpeg } = resolveFfmpeg();
  const bytes = target.width * target.height * 3;
  const result = await runProcess(
    ffmpeg,
    // maxPixels: the decoder itself refuses an image larger than its header claimed (the header passed the limits).
    [
      '-v',
      'error',
      '-nostdin',
      '-noautorotate',
      ...inputArgs(path, 'photo', info.demuxer, { maxPixels: paddedPixels(stored.width, stored.height) }),
      '-frames:v',
      '1',
      '-vf',
      filters.join(','),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { timeoutMs: 60_000, signal, maxStdoutBytes: bytes },
  );
  if (signal?.aborted) throw signal.reason;
  const stopped = result.killedByUs ? null : signalStopError('ffmpeg', 'while decoding the photo', result, result.stderr);
  if (stopped) throw stopped;
  // Any error-level message means damaged data (a truncated JPEG still decodes, with gray rows).
  if (result.code !== 0 || result.stdout.length !== bytes || result.stderr.trim() !== '') {
    throw new InputError('unreadable-image', 'The photo could not be decoded; it may be damaged or truncated. Try saving it again as JPEG or PNG.', {
      stderr: result.stderr.slice(-500),
    });
  }
  return new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.length);
}

/**
 * The most frames decoding may yield: the frame limit, and the duration limit at the rate the clip is
 * written (frames ÷ rate is the clip's length). Enforced on the frames themselves, so a header that lies
 * about the duration, or has none (a browser's recording), cannot stretch the limit.
 */
export function frameCap(stream: VideoStreamInfo, limits: MediaLimits): { readonly frames: number; readonly error: () => InputError } {
  const rate = stream.frameRate ? rationalValue(stream.frameRate) : null;
  const byDuration = rate !== null && rate > 0 ? Math.floor(limits.maxDurationSeconds * rate + 1e-6) : Infinity;
  if (byDuration < limits.maxFrames) {
    const message = `The driving video is longer than ${formatSeconds(limits.maxDurationSeconds)}, the limit. Trim it and try again.`;
    return { frames: byDuration, error: () => new InputError('video-too-long', message) };
  }
  return { frames: limits.maxFrames, error: () => new InputError('too-many-frames', tooManyFrames(null, limits)) };
}

/** Decodes the photo small, only to be sure it decodes (a truncated JPEG passes probing): refuse early, not mid-job. */
export async function verifyPhotoDecodes(path: string, info: MediaInfo, signal?: AbortSignal): Promise<void> {
  const small = { width: 32, height: 32 };
  await decodePhoto(path, info, small, (frame) => ({ x: 0, y: 0, width: frame.width, height: frame.height }), signal);
}

export interface FrameBatch {
  /** `count` packed RGB24 frames, back to back. */
  readonly frames: Uint8Array;
  readonly count: number;
  /** Index of the first frame in the video. */
  readonly start: number;
}

export interface VideoDecodeOptions {
  readonly target: Size;
  readonly crop: CropRule;
  readonly limits: MediaLimits;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** Stop after this many frames (for reading up to a chosen frame). */
  readonly maxFrames?: number;
}

/** Streams a video's frames in batches. Breaking out of the loop stops ffmpeg. */
export async function* decodeVideoFrames(path: string, info: MediaInfo, options: VideoDecodeOptions): AsyncGenerator<FrameBatch> {
  const stream = info.video!;
  const { target, batchSize, limits } = options;
  const filters = [...cropScaleFilters(options.crop, stream, target), 'format=rgb24'];
  const frameBytes = target.width * target.height * 3;
  const { ffmpeg } = resolveFfmpeg();
  const cap = frameCap(stream, limits);
  const maxPixels = Math.max(paddedPixels(stream.width, stream.height), limits.maxVideoPixels);
  const args = [
    // maxPixels: a frame larger than allowed (a stream that grows after its first frames) stops the decoder.
    '-v',
    'error',
    '-nostdin',
    ...inputArgs(path, 'video', info.demuxer, { maxPixels, maxStreams: limits.maxStreams }),
    // 0:V: the first video stream that is not an attached picture (a cover), as probing chose.
    '-map',
    '0:V:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    '-fps_mode',
    'passthrough',
    ...(options.maxFrames !== undefined ? ['-frames:v', String(options.maxFrames)] : []),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const child = atBackgroundPriority(spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const stderr = new StderrTail();
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const kill = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', kill, { once: true });

  let batch = new Uint8Array(frameBytes * batchSize);
  let filled = 0; // bytes in `batch`
  let decoded = 0; // frames yielded or pending
  let start = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, batch.length - filled);
        batch.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === batch.length) {
          decoded += batchSize;
          if (decoded > cap.frames) throw cap.error();
          yield { frames: batch, count: batchSize, start };
          start += batchSize;
          batch = new Uint8Array(frameBytes * batchSize);
          filled = 0;
        }
      }
    }
    const exit = await Promise.race([
      waitForExit(child),
      spawnError.then((e) => {
        throw new EngineError(`Could not start ffmpeg: ${e.message}`);
      }),
    ]);
    if (options.signal?.aborted) throw options.signal.reason;
    if (exit.code !== 0) {
      const stopped = signalStopError('ffmpeg', 'while decoding', exit, stderr.text());
      if (stopped) throw stopped;
      throw new InputError('unreadable-video', 'The driving video could not be decoded to the end; it may be damaged or truncated.', {
        code: exit.code,
        stderr: stderr.text().slice(-500),
      });
    }
    const rest = Math.floor(filled / frameBytes);
    if (rest > 0) {
      decoded += rest;
      if (decoded > cap.frames) throw cap.error();
      yield { frames: batch.subarray(0, rest * frameBytes), count: rest, start };
    }
    if (decoded === 0) {
      throw new InputError('unreadable-video', 'The driving video has no frames that could be decoded; it may be damaged or truncated.', {
        stderr: stderr.text().slice(-500),
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', kill);
    if (child.exitCode === null && child.signalCode === null) {
      kill();
      await waitForExit(child);
    }
  }
}
