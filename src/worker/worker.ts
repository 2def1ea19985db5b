/**
 * A `marionette worker` process: claims jobs from the shared store (PostgreSQL, or the bot's SQLite file on the
 * same host), runs them in its engines (GPU or CPU), stores the clip (through the media store when it is on
 * another host than the bot) and heartbeats. It knows no Discord: the bot shows progress from what the heartbeats
 * record, and delivers the result. Killed at any moment it loses nothing: after the lease another worker claims
 * the job again, and the bot delivers it once.
 */
import { ConfigError } from '../engine/errors.js';
import { InputError, resolveFfmpeg, withoutPaths } from '../engine/index.js';
import type { JobEvents } from '../jobs/job-events.js';
import { JobRunner } from '../jobs/job-runner.js';
import { openJobStorage, type JobStorage } from '../jobs/job-storage.js';
import { ModelCatalog } from '../jobs/model-catalog.js';
import { newWorkerId } from '../store/index.js';
import type { Logger } from '../util/log.js';
import type { WorkerConfig } from './worker-config.js';

/**
 * Loads a model in every engine before claiming. A device named in MARIONETTE_DEVICE must work, or every job would
 * fail: a ConfigError (exit 78). With auto, the first job finds out (and the engine falls back to the CPU).
 */
async function warmUp(runner: JobRunner, config: WorkerConfig, modelDir: string, logger: Logger): Promise<void> {
  const warming = runner.warmUp(modelDir);
  if (config.device !== 'cuda' && config.device !== 'webgpu') {
    warming.catch((e: unknown) => logger.error('warming up the engine failed', { error: e as Error }));
    return;
  }
  try {
    await warming;
  } catch (e) {
    if (e instanceof InputError && e.code === 'bad-option') {
      throw new ConfigError(
        `MARIONETTE_DEVICE is ${config.device}, but it cannot be used here (${withoutPaths(e.message)}); set it to auto, or see docs/gpu.md.`,
      );
    }
    throw e;
  }
}

/** Nothing to tell anyone as it happens: progress reaches the store with each heartbeat. */
const QUIET: JobEvents = { started: () => undefined, progress: () => undefined, ended: () => undefined };

export interface WorkerOptions {
  readonly pollMs?: number;
}

export class Worker {
  private constructor(
    private readonly storage: JobStorage,
    private readonly runner: JobRunner,
    readonly workerId: string,
    private readonly logger: Logger,
  ) {}

  static async start(config: WorkerConfig, logger: Logger, options: WorkerOptions = {}): Promise<Worker> {
    const models = new ModelCatalog(config.modelsDir, logger);
    await models.refresh(true);
    if (models.names().length === 0) {
      throw new ConfigError(
        `MARIONETTE_MODELS_DIR (${config.modelsDir}) holds no model, so this worker could run no job; copy the bot's models folder here ` +
          'or convert one with `npx marionette convert`.',
      );
    }
    resolveFfmpeg();
    if (config.databaseUrl === null) logger.warn("no DATABASE_URL: this worker shares the SQLite store in its data folder, so it must run on the bot's host");
    const storage = await openJobStorage(config, { workers: config.workers, leaseMs: config.leaseSeconds * 1000 }, logger);
    const workerId = newWorkerId();
    const runner = new JobRunner(storage.store, models, storage.files, QUIET, logger, {
      slots: config.workers,
      device: config.device,
      workerId,
      pollMs: options.pollMs ?? 1000,
      heartbeatMs: Math.min(5_000, storage.store.config.leaseMs / 4),
      defaultUploadLimitBytes: 10 * 1024 * 1024,
      jobTimeoutMs: config.jobTimeoutMinutes * 60_000,
      niceness: config.jobNiceness,
      kind: 'worker',
    });
    try {
      await warmUp(runner, config, (models.get(config.defaultModel) ?? models.get(models.names()[0]!))!.dir, logger);
      await runner.start();
    } catch (e) {
      await runner.stop(0);
      await storage.close();
      throw e;
    }
    logger.info('worker started', { worker: workerId, models: models.names(), device: config.device, slots: config.workers, media: config.media.backend });
    return new Worker(storage, runner, workerId, logger);
  }

  /** Stops claiming; a running job may finish for `graceMs`, else it is handed back to the queue. */
  async stop(graceMs: number): Promise<void> {
    this.logger.info('worker stopping', { graceMs });
    await this.runner.stop(graceMs);
    await this.storage.close();
    this.logger.info('worker stopped');
  }
}
