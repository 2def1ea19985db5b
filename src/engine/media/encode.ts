import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError } from '../errors.js';
import type { Size } from './crop.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { inputArgs, type InputCaps } from './input-policy.js';
import { rationalString, type Rational } from './media-info.js';
import { audioCodecArgs, supportsAudio, videoCodecArgs, type OutputFormat, type VideoEncodeSettings } from './output-format.js';
import { addGifComment, metadataArgs } from './provenance.js';
import { drainOrExit, hasExited, pipeToProcess, runProcess, StderrTail, waitForExit } from './process.js';
import { atBackgroundPriority } from './background-priority.js';

/**
 * Encodes generated RGB24 frames, as they come, into the output file: one
 * ffmpeg process reading raw frames on stdin (with backpressure), taking the
 * driving video's audio from the original file. It writes to a temporary file
 * beside the output and renames it only when complete, so a failed or
 * cancelled job never leaves a partial file under the requested name.
 */
export interface EncoderOptions {
  readonly output: string;
  readonly format: OutputFormat;
  readonly size: Size;
  readonly fps: Rational;
  /**
   * The driving file's audio (first audio stream): where, read for at most `durationSeconds`, and how many channels
   * (more than 8 are reduced to its first two). It is cut or padded to end with the last frame.
   */
  readonly audio: {
    readonly path: string;
    readonly demuxer: string;
    readonly durationSeconds: number;
    readonly channels: number;
    /**
     * Caps for opening the driving file again (default: the video role's under the default limits). Only its
     * first audio stream is mapped, but ffmpeg still decodes a picture of every stream while it opens the file.
     */
    readonly caps?: InputCaps;
  } | null;
  readonly tags: Record<string, string>;
  /** Palette image for GIF output (see makeGifPalette). */
  readonly gifPalette?: string;
  readonly settings?: VideoEncodeSettings;
}

const FORMAT_MUXER: Record<OutputFormat, string> = { mp4: 'mp4', webm: 'webm', gif: 'gif', mkv: 'matroska' };
const MAX_AUDIO_CHANNELS = 8;

export class FrameEncoder {
  private readonly stderr = new StderrTail();
  private writeError: Error | null = null;
  private framesWritten = 0;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly options: EncoderOptions,
    readonly tempPath: string,
  ) {
    child.stderr.on('data', (c: Buffer) => this.stderr.push(c));
    child.stdin.on('error', (e) => (this.writeError = e));
    child.on('error', (e) => (this.writeError = e));
  }

  static start(options: EncoderOptions): FrameEncoder {
    const { ffmpeg } = resolveFfmpeg();
    const temp = join(dirname(options.output), `.${basename(options.output)}.partial-${randomBytes(4).toString('hex')}`);
    const { width, height } = options.size;
    const args = [
      '-v',
      'error',
      '-nostdin',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-framerate',
      rationalString(options.fps),
      '-i',
      'pipe:0',
    ];
    const withAudio = options.audio !== null && supportsAudio(options.format);
    if (withAudio)
      args.push('-t', options.audio!.durationSeconds.toFixed(6), ...inputArgs(options.audio!.path, 'video', options.audio!.demuxer, options.audio!.caps));
    if (options.format === 'gif') {
      if (!options.gifPalette) throw new EngineError('GIF output needs a palette');
      args.push('-i', options.gifPalette, '-filter_complex', `[0:v][${withAudio ? 2 : 1}:v]paletteuse=dither=sierra2_4a[v]`, '-map', '[v]');
    } else {
      args.push('-map', '0:v:0');
    }
    if (withAudio) {
      // Only the driving file's first audio stream is taken from it: no other of its streams is decoded past opening.
      args.push('-map', '1:a:0?', ...audioCodecArgs(options.format, options.settings ?? {}));
      // AAC, Opus and FLAC encode up to 8 channels; ffmpeg cannot downmix a wider layout by itself (a recorder's
      // 12 or 64 tracks), so such audio keeps its first two channels (front left and right in standard layouts).
      const filters = options.audio!.channels > MAX_AUDIO_CHANNELS ? ['pan=stereo|c0=c0|c1=c1'] : [];
      // The clip ends with its last frame: audio that outlasts the pictures is cut there (-shortest), audio that
      // ends first is padded with silence (apad) so that -shortest never cuts frames. Matroska and WebM headers
      // count no frames, so the -t above is only an upper bound there.
      args.push('-af', [...filters, 'apad'].join(','), '-shortest');
    }
    args.push(...videoCodecArgs(options.format, options.settings ?? {}), '-fps_mode', 'passthrough');
    args.push(...metadataArgs(options.tags), '-f', FORMAT_MUXER[options.format], '-y', temp);
    const child = atBackgroundPriority(spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] })) as unknown as ChildProcessWithoutNullStreams;
    return new FrameEncoder(child, options, temp);
  }

  get frames(): number {
    return this.framesWritten;
  }

  /** Writes `count` frames; resolves when ffmpeg can take more. */
  async write(frames: Uint8Array, count: number): Promise<void> {
    // ffmpeg may have died while the worker was generating (killed, out of memory, a full disk): nothing to write to.
    if (this.writeError || hasExited(this.child) || this.child.stdin.destroyed) throw await this.failure('stopped while taking frames');
    const ok = this.child.stdin.write(frames);
    this.framesWritten += count;
    if (!ok) await drainOrExit(this.child);
    if (this.writeError || hasExited(this.child) || this.child.stdin.destroyed) throw await this.failure('stopped while taking frames');
  }

  /** Ends the stream, waits for ffmpeg, and moves the file into place. */
  async finish(): Promise<{ path: string; bytes: number }> {
    this.child.stdin.end();
    const exit = await waitForExit(this.child);
    if (exit.code !== 0) {
      await rm(this.tempPath, { force: true });
      throw await this.failure('failed');
    }
    if (this.options.format === 'gif' && this.options.tags['comment']) await addGifComment(this.tempPath, this.options.tags['comment']);
    await rename(this.tempPath, this.options.output);
    return { path: this.options.output, bytes: (await stat(this.options.output)).size };
  }

  /** Stops ffmpeg and removes the partial file. */
  async abort(): Promise<void> {
    this.child.stdin.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await waitForExit(this.child);
    await rm(this.tempPath, { force: true });
  }

  /** The error, once ffmpeg's exit (and so how it ended, and all it said) is known — or after 2 s without it. */
  private async failure(what: string): Promise<EngineError> {
    const exit = await Promise.race([waitForExit(this.child), new Promise<null>((r) => setTimeout(() => r(null), 2000).unref())]);
    const how = exit === null ? 'still running' : exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    return new EngineError(`The video encoder (ffmpeg) ${what} (${how}): ${lastLine(this.stderr.text()) || this.writeError?.message || 'no message'}`, {
      stderr: this.stderr.text().slice(-1000),
      output: this.options.output,
      exitCode: exit?.code ?? null,
      signal: exit?.signal ?? null,
    });
  }
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

/** A 256-colour palette for GIF output, from a representative RGB24 frame (the source photo). */
export async function makeGifPalette(frame: Uint8Array, size: Size, palettePath: string): Promise<void> {
  const { ffmpeg } = resolveFfmpeg();
  const args = [
    '-v',
    'error',
    '-nostdin',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${size.width}x${size.height}`,
    '-i',
    'pipe:0',
    '-vf',
    'palettegen=max_colors=256:stats_mode=full',
    '-y',
    palettePath,
  ];
  await pipeToProcess(ffmpeg, args, [frame]).catch((e: unknown) => {
    throw new EngineError(`ffmpeg could not build the GIF palette: ${(e as Error).message}`);
  });
}

/** Reads every frame of a video back as RGB24 (for tests and checks; small videos only). */
export async function readFramesRgb(path: string, size?: Size): Promise<Buffer> {
  const { ffmpeg } = resolveFfmpeg();
  const scale = size ? ['-vf', `scale=${size.width}:${size.height}`] : [];
  const r = await runProcess(
    ffmpeg,
    ['-v', 'error', '-nostdin', '-i', path, ...scale, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    {
      timeoutMs: 120_000,
    },
  );
  if (r.code !== 0) throw new EngineError(`could not read frames of ${path}: ${lastLine(r.stderr)}`);
  return r.stdout;
}
