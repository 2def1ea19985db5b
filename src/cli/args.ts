import { parseArgs } from 'node:util';
import { DEVICE_REQUESTS, type DeviceRequest } from '../engine/model/execution-provider.js';
import type { AnimateOptions, BestFrame } from '../engine/options.js';
import type { MediaLimits } from '../engine/media/limits.js';
import type { FramingMode } from '../engine/framing/report.js';
import { MAX_MAX_SIDE, MIN_MAX_SIDE, type OutputSize } from '../engine/framing/output-size.js';

/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const ANIMATE_USAGE = `Usage: marionette animate --source <image> --driving <video> --out <file> [options]

Animates a still photo with the motion of a driving video (First Order Motion Model).

Required:
  --source <image>        the photo to animate (JPEG, PNG, WebP, BMP, GIF)
  --driving <video>       the video whose motion is transferred (MP4, MOV, WebM, MKV, AVI, GIF)
  --out <file>            output; format by extension: .mp4 .webm .gif .mkv (lossless)

Options:
  --model <dir>           model folder (default: models/default, the built-in demo model)
  --mode <m>              relative (default) or absolute
  --adapt-scale           scale motion to the photo's keypoint spread (default)
  --no-adapt-scale        use the driving motion's scale as it is
  --best-frame <f>        off (default), auto, or a frame number: the driving frame to start from
  --framing <f>           auto (default: as the model was trained; the demo model centres), face, whole or centre
  --output-size <s>       photo (the photo's size, long side at most 1280, the animated crop pasted back), model
                          (the model's raw square) or a maximum long side in pixels; default photo, model when centred
  --audio / --no-audio    keep the driving video's audio (default: keep)
  --device <d>            auto (default), cpu, webgpu or cuda
  --batch <n>             frames per inference batch (default: 4 on CPU, 16 on GPU)
  --threads <n>           CPU threads for inference (default: all cores)
  --max-seconds <s>       refuse driving videos longer than this (default 300)
  --max-frames <n>        refuse driving videos with more frames than this (default 18000)
  --no-label              leave out the burned-in "AI-generated" label (research comparisons only;
                          the metadata tag is always written)
  --json                  print the result as JSON on stdout
  --quiet                 no progress bar
`;

export interface AnimateCommand {
  readonly options: AnimateOptions;
  readonly device: DeviceRequest;
  readonly cpuThreads: number | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
}

const ANIMATE_OPTIONS = {
  source: { type: 'string' },
  driving: { type: 'string' },
  out: { type: 'string' },
  model: { type: 'string' },
  mode: { type: 'string' },
  'adapt-scale': { type: 'boolean' },
  'no-adapt-scale': { type: 'boolean' },
  'best-frame': { type: 'string' },
  framing: { type: 'string' },
  'output-size': { type: 'string' },
  audio: { type: 'boolean' },
  'no-audio': { type: 'boolean' },
  device: { type: 'string' },
  batch: { type: 'string' },
  threads: { type: 'string' },
  'max-seconds': { type: 'string' },
  'max-frames': { type: 'string' },
  'no-label': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses `marionette animate` arguments. Pure: throws UsageError on mistakes. */
export function parseAnimateArgs(argv: readonly string[]): AnimateCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: ANIMATE_OPTIONS,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  for (const required of ['source', 'driving', 'out'] as const) {
    if (!v[required]) throw new UsageError(`--${required} is required.`);
  }
  if (v['adapt-scale'] && v['no-adapt-scale']) throw new UsageError('Give either --adapt-scale or --no-adapt-scale, not both.');
  if (v.audio && v['no-audio']) throw new UsageError('Give either --audio or --no-audio, not both.');
  const mode = v.mode ?? 'relative';
  if (mode !== 'relative' && mode !== 'absolute') throw new UsageError(`--mode must be relative or absolute (got "${mode}").`);
  const device = (v.device ?? 'auto') as DeviceRequest;
  if (!DEVICE_REQUESTS.includes(device)) throw new UsageError(`--device must be one of ${DEVICE_REQUESTS.join(', ')} (got "${v.device}").`);
  const limits: Partial<MediaLimits> = {};
  if (v['max-seconds'] !== undefined) Object.assign(limits, { maxDurationSeconds: positiveNumber('--max-seconds', v['max-seconds']) });
  if (v['max-frames'] !== undefined) Object.assign(limits, { maxFrames: positiveInteger('--max-frames', v['max-frames']) });
  const options: AnimateOptions = {
    source: v.source!,
    driving: v.driving!,
    output: v.out!,
    model: v.model,
    mode,
    adaptScale: !v['no-adapt-scale'],
    bestFrame: parseBestFrame(v['best-frame'] ?? 'off'),
    framing: parseFraming(v.framing ?? 'auto'),
    ...(v['output-size'] !== undefined ? { outputSize: parseOutputSize(v['output-size']) } : {}),
    audio: !v['no-audio'],
    label: !v['no-label'],
    batchSize: v.batch !== undefined ? boundedInteger('--batch', v.batch, MAX_BATCH) : undefined,
    limits,
  };
  return {
    options,
    device,
    cpuThreads: v.threads !== undefined ? boundedInteger('--threads', v.threads, MAX_THREADS) : undefined,
    json: v.json ?? false,
    quiet: v.quiet ?? false,
  };
}

export function parseBestFrame(text: string): BestFrame {
  if (text === 'off' || text === 'auto') return text;
  if (/^\d+$/.test(text)) return Number(text);
  throw new UsageError(`--best-frame must be off, auto or a frame number (got "${text}").`);
}

export function parseFraming(text: string): FramingMode {
  if (FRAMING_MODES.includes(text as FramingMode)) return text as FramingMode;
  throw new UsageError(`--framing must be one of ${FRAMING_MODES.join(', ')} (got "${text}").`);
}

export function parseOutputSize(text: string): OutputSize {
  if (text === 'photo' || text === 'model') return text;
  if (/^\d+$/.test(text) && Number(text) >= MIN_MAX_SIDE && Number(text) <= MAX_MAX_SIDE) return Number(text);
  throw new UsageError(`--output-size must be photo, model or a long side from ${MIN_MAX_SIDE} to ${MAX_MAX_SIDE} pixels (got "${text}").`);
}

const FRAMING_MODES: readonly FramingMode[] = ['auto', 'face', 'whole', 'centre'];

/** The engine's largest batch (animate.ts); more threads than this is a typo, not a machine. */
const MAX_BATCH = 256;
const MAX_THREADS = 256;

function boundedInteger(flag: string, text: string, max: number): number {
  const n = positiveInteger(flag, text);
  if (n > max) throw new UsageError(`${flag} must be at most ${max} (got "${text}").`);
  return n;
}

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a whole number of at least 1 (got "${text}").`);
  return Number(text);
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number (got "${text}").`);
  return n;
}
