import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledError, Engine, inBackground, InputError } from '../engine/index.js';
import type { DeviceRequest } from '../engine/model/execution-provider.js';
import type { Job, Store } from '../store/index.js';
import { LeaseLostError } from '../store/index.js';
import type { Logger } from '../util/log.js';
import { fitClipToLimit } from './fit-clip.js';
import { botMessages } from './messages.js';
import type { ModelCatalog } from './model-catalog.js';
import type { ProgressReporter } from './progress-reporter.js';

/**
 * Works through the queue: claims the next job (the store picks fairly across
 * users and guilds), runs the engine in its worker thread, renews the lease by
 * heartbeat, and records the outcome. One engine (one worker thread, sessions
 * loaded once) per slot; one slot per GPU is right.
 */
export interface RunnerOptions {
  readonly slots: number;
  readonly device: DeviceRequest;
  readonly workerId: string;
  /** How often to look for runnable jobs without being woken (backoffs, other processes). */
  readonly pollMs: number;
  readonly heartbeatMs: number;
  /** Upload limit assumed when the interaction did not report one. */
  readonly defaultUploadLimitBytes: number;
  /**
   * Longest one attempt may run (inference, encoding, fitting) before it is stopped and the job fails for good:
   * an input within every limit that is still pathologically slow must not hold a worker for ever.
   */
  readonly jobTimeoutMs: number;
  /**
   * CPU priority of the jobs' work (inference thread, ffmpeg), as `nice`: below members' commands, so a burst of
   * /animate is checked and queued promptly while an animation runs (engine/media/background-priority.ts).
   */
  readonly niceness: number;
}

interface Running {
  readonly job: Job;
  readonly leaseId: string;
  readonly controller: AbortController;
  reason: 'cancel' | 'shutdown' | 'lease-lost' | 'timeout' | null;
  readonly done: Promise<void>;
}

export class JobRunner {
  private readonly engines: Engine[];
  private readonly idle: Engine[];
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private claiming = false;

  constructor(
    private readonly store: Store,
    private readonly models: ModelCatalog,
    private readonly progress: ProgressReporter,
    private readonly logger: Logger,
    private readonly options: RunnerOptions,
    private readonly onFinished: (jobId: string) => void,
  ) {
    this.engines = Array.from({ length: options.slots }, () => new Engine({ device: options.device, logger, niceness: options.niceness }));
    this.idle = [...this.engines];
  }

  /** Loads the default model in every engine, so the first job does not wait for it. */
  async warmUp(modelDir: string): Promise<void> {
    await Promise.all(this.engines.map((e) => e.warmUp(modelDir)));
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.wake();
  }

  /** Claims jobs while a slot is free. Safe to call any time (new job queued, job finished). */
  wake(): void {
    if (this.stopping || this.claiming) return;
    this.claiming = true;
    try {
      while (this.idle.length > 0 && !this.stopping) {
        const claim = this.store.claimNext(this.options.workerId);
        if (!claim) break;
        const engine = this.idle.pop()!;
        const controller = new AbortController();
        const entry: Running = { job: claim.job, leaseId: claim.leaseId, controller, reason: null, done: Promise.resolve() };
        (entry as { done: Promise<void> }).done = inBackground(this.options.niceness, () => this.run(entry, engine)).finally(() => {
          this.running.delete(claim.job.id);
          this.idle.push(engine);
          this.onFinished(claim.job.id);
          this.wake();
        });
        this.running.set(claim.job.id, entry);
      }
    } catch (e) {
      this.logger.error('claiming a job failed', { error: e as Error });
    } finally {
      this.claiming = false;
    }
  }

  /** Stops a running job now (the requester pressed Cancel). */
  cancel(jobId: string): boolean {
    const r = this.running.get(jobId);
    if (!r) return false;
    r.reason = 'cancel';
    r.controller.abort();
    return true;
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /**
   * Stops claiming; lets running jobs finish for up to `graceMs`, then stops
   * them and hands them back to the queue (the attempt is not counted).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    const finished = await Promise.race([all().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
    if (!finished) {
      for (const r of this.running.values()) {
        // A job already being stopped (cancelled, timed out) keeps its reason: a timed-out one is not handed back.
        if (r.reason === null) r.reason = 'shutdown';
        r.controller.abort();
      }
      await all();
    }
    await Promise.all(this.engines.map((e) => e.dispose()));
  }

  private async run(entry: Running, engine: Engine): Promise<void> {
    const { job, leaseId, controller } = entry;
    const log = this.logger.child({ job: job.id, guild: job.guildId, user: job.userId });
    let progress = 0;
    const beat = setInterval(() => {
      try {
        const hb = this.store.heartbeat(job.id, leaseId, { progress });
        if (!hb.alive) {
          entry.reason = 'lease-lost';
          controller.abort();
        } else if (hb.cancelRequested && entry.reason === null) {
          entry.reason = 'cancel';
          controller.abort();
        }
      } catch (e) {
        log.warn('heartbeat failed', { error: (e as Error).message });
      }
    }, this.options.heartbeatMs);
    const started = Date.now();
    const deadline = setTimeout(() => {
      if (entry.reason !== null) return;
      entry.reason = 'timeout';
      controller.abort();
    }, this.options.jobTimeoutMs);
    try {
      log.info('job started', { attempt: job.attempts, model: job.model });
      this.progress.started(job.id);
      await this.models.refresh();
      const model = this.models.get(job.model);
      if (!model) throw new InputError('bad-model', `The model "${job.model}" is no longer installed on this bot.`);
      if (!job.source.path || !job.driving.path) throw new InputError('file-missing', 'The photo or video of this animation was deleted before it could run.');
      const dir = this.store.jobDirectory(job.id);
      await mkdir(dir, { recursive: true });
      const output = join(dir, 'result.mp4');
      const result = await engine.animate({
        jobId: job.id,
        source: job.source.path,
        driving: job.driving.path,
        output,
        model: model.dir,
        mode: job.options['mode'] === 'absolute' ? 'absolute' : 'relative',
        bestFrame: bestFrameOption(job.options['bestFrame']),
        ...durationLimit(job.options['maxSeconds']),
        signal: controller.signal,
        onProgress: (p) => {
          if (p.percent !== null && p.phase === 'generating') progress = p.percent / 100;
          this.progress.update(job.id, p);
        },
      });
      const limit = job.attachmentLimitBytes ?? this.options.defaultUploadLimitBytes;
      const fitted = await fitClipToLimit(
        output,
        { limitBytes: limit, durationSeconds: result.durationSeconds, width: result.width, height: result.height, hasAudio: result.audio },
        controller.signal,
      );
      if (!fitted) throw new InputError('file-too-large', botMessages.tooLargeToDeliver(limit));
      if (fitted.attempts > 0) log.info('clip re-encoded to fit the upload limit', { limit, bytes: fitted.bytes, attempts: fitted.attempts });
      const done = this.store.complete(job.id, leaseId, { path: output, bytes: fitted.bytes, durationMs: Math.round(result.durationSeconds * 1000) });
      if (done.state === 'cancelled') {
        // Cancelled while the clip was being finished: it is not delivered, and not kept.
        await rm(output, { force: true });
        log.info('job cancelled by its requester as it finished; the clip was discarded');
      } else {
        log.info('job succeeded', { frames: result.frames, bytes: fitted.bytes, provider: result.provider, ms: Date.now() - started });
      }
    } catch (e) {
      this.settleFailure(entry, e, log);
    } finally {
      clearTimeout(deadline);
      clearInterval(beat);
      this.progress.forget(job.id);
    }
  }

  private settleFailure(entry: Running, e: unknown, log: Logger): void {
    const { job, leaseId } = entry;
    try {
      if (entry.reason === 'lease-lost') {
        log.warn('job lease lost; another worker or recovery owns it now');
      } else if (entry.reason === 'cancel' && (e instanceof CancelledError || entry.controller.signal.aborted)) {
        this.store.cancelRunning(job.id, leaseId);
        log.info('job cancelled by its requester');
      } else if (this.stopping && entry.reason !== 'cancel' && entry.reason !== 'timeout') {
        // Handed back uncounted, to run again next start: stopped after the shutdown grace, or failed while the bot
        // stops (most likely its ffmpeg got the same signal from a service manager: the input is not to blame).
        this.store.releaseClaim(job.id, leaseId);
        if (entry.reason === 'shutdown') log.info('job handed back to the queue for shutdown');
        else log.info('job handed back to the queue: it failed while the bot was stopping', { error: (e as Error).message });
      } else if (entry.reason === 'timeout' && (e instanceof CancelledError || entry.controller.signal.aborted)) {
        const minutes = Math.max(1, Math.round(this.options.jobTimeoutMs / 60_000));
        this.store.fail(job.id, leaseId, {
          error: `stopped after ${this.options.jobTimeoutMs} ms`,
          userReason: botMessages.jobTimedOut(minutes),
          retryable: false,
        });
        log.warn('job stopped: it ran longer than allowed', { timeoutMs: this.options.jobTimeoutMs });
      } else if (e instanceof InputError) {
        this.store.fail(job.id, leaseId, { error: e.message, userReason: e.message, retryable: false });
        log.info('job failed on its input', { reason: e.message, code: e.code });
      } else {
        const err = e instanceof Error ? e : new Error(String(e));
        const diskFull = /ENOSPC|No space left on device/i.test(`${err.message} ${JSON.stringify((err as { context?: unknown }).context ?? '')}`);
        this.store.fail(job.id, leaseId, { error: err.message, retryable: true, ...(diskFull ? { userReason: botMessages.diskFull } : {}) });
        log.error('job attempt failed', { error: err, context: (err as { context?: unknown }).context });
      }
    } catch (storeError) {
      if (storeError instanceof LeaseLostError) log.warn('job outcome not recorded: lease lost');
      else log.error('recording the job outcome failed', { error: storeError as Error });
    }
  }
}

/** The server's duration limit when the job was queued (a header can understate a video's length; decoding cannot). */
function durationLimit(value: unknown): { limits?: { maxDurationSeconds: number } } {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? { limits: { maxDurationSeconds: value } } : {};
}

function bestFrameOption(value: unknown): 'off' | 'auto' | number {
  if (value === 'auto') return 'auto';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  return 'off';
}
