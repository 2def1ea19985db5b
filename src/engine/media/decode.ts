import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
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
export async function decodePhoto(path: string, info: MediaInfo, target: Size, crop: CropRule, signal?: AbortSignal, exact = false): Promise<Uint8Array> {
  return decodePhotoWith(path, info, target, (shown) => cropScaleFilters(crop, shown, target, exact), signal);
}

/** The photo's size as shown (EXIF orientation applied), and that orientation's filters. */
export async function photoOrientation(path: string, info: MediaInfo): Promise<{ shown: Size; filters: string[] }> {
  const orientation = readOrientation(await readExifBytes(path));
  const stored = info.video!;
  const shown: Size = swapsSides(orientation) ? { width: stored.height, height: stored.width } : { width: stored.width, height: stored.height };
  return { shown, filters: orientationFilters(orientation) };
}

/**
 * Decodes the photo, upright, through the filters `framing` gives for its shown size, to RGB24 of `size`
 * (the filters must produce that size).
 */
export async function decodePhotoWith(
  path: string,
  info: MediaInfo,
  size: Size,
  framing: (shown: Size) => string[],
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const { shown, filters: upright } = await photoOrientation(path, info);
  const stored = info.video!;
  const filters = [...upright, ...framing(shown), 'format=rgb24'];
  const { ffmpeg } = resolveFfmpeg();
  const bytes = size.width * size.height * 3;
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
    throw undecodablePhoto({ stderr: result.stderr.slice(-500) });
  }
  return new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.length);
}

/** The refusal of a photo that does not decode (what went wrong is in the context, for logs). */
export function undecodablePhoto(context: Record<string, unknown>): InputError {
  return new InputError('unreadable-image', 'The photo could not be decoded; it may be damaged or truncated. Try saving it again as JPEG or PNG.', context);
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
  /** Filters that replace the crop rule's (they must produce frames of `target`), e.g. the framing pass's fit and pad. */
  readonly filters?: (frame: Size) => string[];
  /** Keep one frame in this many (the framing pass); batches then count kept frames. Default 1. */
  readonly keepEvery?: number;
}

/** Streams a video's frames in batches. Breaking out of the loop stops ffmpeg. */
export async function* decodeVideoFrames(path: string, info: MediaInfo, options: VideoDecodeOptions): AsyncGenerator<FrameBatch> {
  const cap = frameCap(info.video!, options.limits);
  const every = options.keepEvery ?? 1;
  const decoder = startVideoDecoder(path, info, options);
  const batcher = new FrameBatcher(options.target.width * options.target.height * 3, options.batchSize);
  let decoded = 0; // frames yielded or pending
  const counted = (batch: FrameBatch): FrameBatch => {
    decoded += batch.count;
    // With keepEvery, the kept frames' count bounds the decoded frames' from below.
    if ((decoded - 1) * every + 1 > cap.frames) throw cap.error();
    return batch;
  };
  try {
    for await (const chunk of decoder.child.stdout as AsyncIterable<Buffer>) {
      for (const batch of batcher.add(chunk)) yield counted(batch);
    }
    await decoder.exited(options.signal);
    const rest = batcher.rest();
    if (rest) yield counted(rest);
    if (decoded === 0) {
      throw new InputError('unreadable-video', 'The driving video has no frames that could be decoded; it may be damaged or truncated.', {
        stderr: decoder.stderr.text().slice(-500),
      });
    }
  } finally {
    await decoder.stop();
  }
}

/** ffmpeg's arguments for decoding the clip's frames, framed by the crop rule and scaled to the target, as raw RGB24. */
function videoDecodeArgs(path: string, info: MediaInfo, options: VideoDecodeOptions): string[] {
  const stream = info.video!;
  const every = options.keepEvery ?? 1;
  const select = every > 1 ? [`select='not(mod(n\\,${every}))'`] : [];
  const framing = options.filters ? options.filters(stream) : cropScaleFilters(options.crop, stream, options.target);
  const filters = [...select, ...framing, 'format=rgb24'];
  const maxPixels = Math.max(paddedPixels(stream.width, stream.height), options.limits.maxVideoPixels);
  return [
    // maxPixels: a frame larger than allowed (a stream that grows after its first frames) stops the decoder.
    '-v',
    'error',
    '-nostdin',
    ...inputArgs(path, 'video', info.demuxer, { maxPixels, maxStreams: options.limits.maxStreams }),
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
}

interface VideoDecoder {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly stderr: StderrTail;
  /** Waits for ffmpeg to end once its output is read; throws when it did not decode to the end. */
  exited(signal: AbortSignal | undefined): Promise<void>;
  /** Kills ffmpeg if it still runs, and waits for it. */
  stop(): Promise<void>;
}

function startVideoDecoder(path: string, info: MediaInfo, options: VideoDecodeOptions): VideoDecoder {
  const { ffmpeg } = resolveFfmpeg();
  const child = atBackgroundPriority(spawn(ffmpeg, videoDecodeArgs(path, info, options), { stdio: ['ignore', 'pipe', 'pipe'] }));
  const stderr = new StderrTail();
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const kill = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', kill, { once: true });
  return {
    child,
    stderr,
    async exited(signal) {
      const exit = await Promise.race([
        waitForExit(child),
        spawnError.then((e) => {
          throw new EngineError(`Could not start ffmpeg: ${e.message}`);
        }),
      ]);
      if (signal?.aborted) throw signal.reason;
      if (exit.code !== 0) {
        const stopped = signalStopError('ffmpeg', 'while decoding', exit, stderr.text());
        if (stopped) throw stopped;
        throw new InputError('unreadable-video', 'The driving video could not be decoded to the end; it may be damaged or truncated.', {
          code: exit.code,
          stderr: stderr.text().slice(-500),
        });
      }
    },
    async stop() {
      options.signal?.removeEventListener('abort', kill);
      if (child.exitCode === null && child.signalCode === null) {
        kill();
        await waitForExit(child);
      }
    },
  };
}

/** Cuts ffmpeg's byte stream into batches of whole frames, each batch in a buffer of its own. */
export class FrameBatcher {
  private batch: Uint8Array;
  private filled = 0; // bytes in `batch`
  private start = 0;

  constructor(
    private readonly frameBytes: number,
    private readonly batchSize: number,
  ) {
    this.batch = new Uint8Array(frameBytes * batchSize);
  }

  /** Takes a chunk of the stream; yields each batch it completes. */
  *add(chunk: Uint8Array): Generator<FrameBatch> {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.batch.length - this.filled);
      this.batch.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.batch.length) {
        yield { frames: this.batch, count: this.batchSize, start: this.start };
        this.start += this.batchSize;
        this.batch = new Uint8Array(this.frameBytes * this.batchSize);
        this.filled = 0;
      }
    }
  }

  /** The whole frames of a last, partial batch (a partial frame at the end is dropped). */
  rest(): FrameBatch | null {
    const count = Math.floor(this.filled / this.frameBytes);
    return count > 0 ? { frames: this.batch.subarray(0, count * this.frameBytes), count, start: this.start } : null;
  }
}
