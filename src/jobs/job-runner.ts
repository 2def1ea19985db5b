import { Engine, inBackground } from '../engine/index.js';
import type { DeviceRequest } from '../engine/index.js';
import { LeaseLostError, type Store } from '../store/index.js';
import type { Logger } from '../util/log.js';
import { settleFailure, type Settlement } from './failure-settlement.js';
import type { JobEvents } from './job-events.js';
import type { JobFiles } from './job-files.js';
import type { ModelCatalog } from './model-catalog.js';
import { WorkerPresence } from './worker-presence.js';
import { runJob, stop, watchJob, type JobDeps, type RunningJob } from './run-job.js';

/**
 * Works through the queue: claims the next job (the store picks fairly across
 * users and guilds), runs it (run-job.ts) in an engine slot, and records how an
 * attempt that did not succeed ends (failure-settlement.ts). One engine (one
 * worker thread, sessions loaded once) per slot; one slot per GPU is right.
 * Nothing here knows Discord: progress and ends go to `events`.
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
  /** 'bot': the bot's own worker threads (default); 'worker': a `marionette worker` process. */
  readonly kind?: 'bot' | 'worker';
}

interface Slot extends RunningJob {
  readonly done: Promise<void>;
}

export class JobRunner {
  private readonly engines: Engine[];
  private readonly idle: Engine[];
  private readonly running = new Map<string, Slot>();
  private readonly deps: JobDeps;
  private readonly presence: WorkerPresence;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private claiming: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly models: ModelCatalog,
    files: JobFiles,
    private readonly events: JobEvents,
    private readonly logger: Logger,
    private readonly options: RunnerOptions,
  ) {
    this.engines = Array.from({ length: options.slots }, () => new Engine({ device: options.device, logger, niceness: options.niceness }));
    this.idle = [...this.engines];
    const { heartbeatMs, jobTimeoutMs, defaultUploadLimitBytes } = options;
    this.deps = { store, models, files, events, heartbeatMs, jobTimeoutMs, defaultUploadLimitBytes };
    const who = { workerId: options.workerId, kind: options.kind ?? 'bot', slots: options.slots, device: options.device };
    this.presence = new WorkerPresence(store, logger, who, () => [...this.running.keys()]);
  }

  /** Loads the default model in every engine, so the first job does not wait for it. */
  async warmUp(modelDir: string): Promise<void> {
    await Promise.all(this.engines.map((e) => e.warmUp(modelDir)));
  }

  /** Starts claiming (a runner of no slots only says it is there); registers in the workers table. */
  async start(): Promise<void> {
    await this.models.refresh();
    await this.presence.start(this.models.names(), this.options.heartbeatMs);
    if (this.engines.length === 0) return;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.wake();
  }

  /** Claims jobs while a slot is free. Safe to call any time (new job queued, job finished); one claim loop at a time. */
  wake(): void {
    if (this.stopping) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = this.claimWhileFree()
      .catch((e: unknown) => this.logger.error('claiming a job failed', { error: e as Error }))
      .finally(() => {
        this.claiming = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async claimWhileFree(): Promise<void> {
    while (this.idle.length > 0 && !this.stopping) {
      // Only jobs whose model is here: a job for a model only some workers have is claimed only by those.
      await this.models.refresh();
      const claim = await this.store.claimNext(this.options.workerId, undefined, this.models.names());
      if (!claim) return;
      if (this.stopping) {
        await this.store.releaseClaim(claim.job.id, claim.leaseId);
        return;
      }
      this.begin({ job: claim.job, leaseId: claim.leaseId, controller: new AbortController(), stopReason: null, progress: 0 }, this.idle.pop()!);
    }
  }

  /** Stops a running job now (the requester pressed Cancel). */
  cancel(jobId: string): boolean {
    const r = this.running.get(jobId);
    if (!r) return false;
    stop(r, 'cancel');
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
      // A job already being stopped (cancelled, timed out) keeps its reason: a timed-out one is not handed back.
      for (const r of this.running.values()) stop(r, r.stopReason ?? 'shutdown');
      await all();
    }
    await this.claiming;
    await Promise.all(this.engines.map((e) => e.dispose()));
    await this.presence.stop();
  }

  /** Runs a claimed job in `engine`'s slot, below members' commands in priority; frees the slot after. */
  private begin(job: RunningJob, engine: Engine): void {
    const id = job.job.id;
    const done = inBackground(this.options.niceness, () => this.attempt(job, engine)).finally(() => {
      this.running.delete(id);
      this.idle.push(engine);
      this.events.ended(id);
      this.presence.changed();
      this.wake();
    });
    this.running.set(id, Object.assign(job, { done }));
    this.presence.changed();
  }

  private async attempt(entry: RunningJob, engine: Engine): Promise<void> {
    const log = this.logger.child({ job: entry.job.id, guild: entry.job.guildId, user: entry.job.userId });
    const unwatch = watchJob(this.deps, entry, log);
    const started = Date.now();
    try {
      await runJob(this.deps, entry, engine, log);
      this.presence.finished(true, Date.now() - started);
    } catch (e) {
      this.presence.finished(false, Date.now() - started);
      const settlement = settleFailure({
        stopReason: entry.stopReason,
        aborted: entry.controller.signal.aborted,
        stopping: this.stopping,
        error: e,
        jobTimeoutMs: this.options.jobTimeoutMs,
      });
      await this.record(entry, settlement, e, log);
    } finally {
      unwatch();
    }
  }

  /** Records a settlement in the store, and says it in the log. */
  private async record(entry: RunningJob, s: Settlement, error: unknown, log: Logger): Promise<void> {
    const { job, leaseId } = entry;
    try {
      if (s.outcome === 'lease-lost') {
        log.warn('job lease lost; another worker or recovery owns it now');
      } else if (s.outcome === 'cancelled') {
        await this.store.cancelRunning(job.id, leaseId);
        log.info('job cancelled by its requester');
      } else if (s.outcome === 'handed-back') {
        // Handed back uncounted, to run again next start.
        await this.store.releaseClaim(job.id, leaseId);
        if (s.why === 'shutdown') log.info('job handed back to the queue for shutdown');
        else log.info('job handed back to the queue: it failed while the bot was stopping', { error: (error as Error).message });
      } else {
        await this.store.fail(job.id, leaseId, s.failure);
        logFailure(log, s.failure.reason?.code ?? 'internal', error, this.options.jobTimeoutMs);
      }
    } catch (storeError) {
      if (storeError instanceof LeaseLostError) log.warn('job outcome not recorded: lease lost');
      else log.error('recording the job outcome failed', { error: storeError as Error });
    }
  }
}

function logFailure(log: Logger, code: string, error: unknown, jobTimeoutMs: number): void {
  const err = error instanceof Error ? error : new Error(String(error));
  if (code === 'timeout') log.warn('job stopped: it ran longer than allowed', { timeoutMs: jobTimeoutMs });
  else if (code === 'input' || code === 'too-large-to-deliver')
    log.info('job failed on its input', { reason: err.message, code: (err as { code?: string }).code ?? code });
  else log.error('job attempt failed', { error: err, context: (err as { context?: unknown }).context });
}
