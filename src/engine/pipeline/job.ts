import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { silentLogger, type Logger } from '../../util/log.js';
import { CancelledError } from '../errors.js';
import { centredCrop, type CropRule } from '../media/crop.js';
import { withLimits, type MediaLimits } from '../media/limits.js';
import { outputFormatFor, type OutputFormat } from '../media/output-format.js';
import type { DeviceRequest } from '../model/execution-provider.js';
import type { AnimationMode } from '../model/manifest.js';
import type { AnimateOptions, AnimateProgress } from '../options.js';

/** What the engine brings to a job: where inference runs, and the logger. */
export interface EngineSettings {
  readonly device: DeviceRequest;
  readonly cpuThreads: number;
  readonly logger?: Logger;
}

/** One animation request with its defaults filled in: what every stage of the pipeline reads. */
export interface Job {
  readonly options: AnimateOptions;
  readonly id: string;
  readonly log: Logger;
  readonly signal: AbortSignal | undefined;
  readonly limits: MediaLimits;
  readonly crop: CropRule;
  readonly mode: AnimationMode;
  readonly format: OutputFormat;
  /** The output file, absolute. */
  readonly output: string;
  readonly report: (progress: AnimateProgress) => void;
  /** performance.now() when the job began. */
  readonly started: number;
}

/** The job's settings from the caller's options (pure apart from the clock and a random id). */
export function describeJob(options: AnimateOptions, engine: EngineSettings): Job {
  const id = options.jobId ?? randomBytes(6).toString('hex');
  return {
    options,
    id,
    log: (engine.logger ?? silentLogger).child({ job: id }),
    signal: options.signal,
    limits: withLimits(options.limits),
    crop: options.crop ?? centredCrop,
    mode: options.mode ?? 'relative',
    format: outputFormatFor(options.output),
    output: resolve(options.output),
    report: options.onProgress ?? (() => undefined),
    started: performance.now(),
  };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
