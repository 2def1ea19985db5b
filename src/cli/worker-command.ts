/**
 * `marionette worker`: runs jobs for a bot from another process or host (src/worker/worker.ts). Settings come from
 * the environment and .env, as the bot's do; SIGINT or SIGTERM stops it, handing a job that does not finish within
 * MARIONETTE_SHUTDOWN_GRACE_SECONDS back to the queue.
 */
import { once } from 'node:events';
import { config as loadDotenv } from 'dotenv';
import { createLogger } from '../util/log.js';
import { describeUrl } from '../store/index.js';
import { loadWorkerConfig } from '../worker/worker-config.js';
import { Worker } from '../worker/worker.js';
import { UsageError } from './args.js';
import { EXIT_OK, reportError } from './exit-codes.js';

export const WORKER_USAGE = `Usage: marionette worker

Claims animation jobs from the bot's store and runs them here (GPU or CPU), until SIGINT or SIGTERM.
Settings come from the environment (or .env), as the bot's do:
  DATABASE_URL              the bot's PostgreSQL database (without it: the SQLite store in the data folder,
                            which only works on the bot's own host)
  MARIONETTE_MEDIA          postgres when this host is not the bot's (photos, videos and clips travel
                            through the database); local (default) on the bot's host
  MARIONETTE_MODELS_DIR     the models this worker has (jobs for other models are left to other workers)
  MARIONETTE_DEVICE         auto, cpu, webgpu or cuda
  MARIONETTE_WORKERS        jobs at once (default 1; one per GPU)
  MARIONETTE_DATA_DIR       where fetched inputs and clips wait while a job runs
See docs/scale-out.md.
`;

export async function workerCommand(argv: readonly string[]): Promise<number> {
  if (argv.length > 0)
    return reportError(
      new UsageError(`takes no options (got ${argv.join(' ')}).`),
      'worker',
      'Usage: marionette worker (settings from the environment; marionette worker --help)',
    );
  try {
    loadDotenv({ quiet: true });
    const config = loadWorkerConfig();
    const logger = createLogger({ level: config.logLevel, redact: config.databaseUrl ? [config.databaseUrl] : [] });
    logger.info('worker starting', { store: config.databaseUrl ? describeUrl(config.databaseUrl) : config.dataDir });
    const worker = await Worker.start(config, logger);
    const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    logger.info('signal received', { signal: String(signal[0] ?? '') });
    await worker.stop(config.shutdownGraceSeconds * 1000);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, 'worker', WORKER_USAGE);
  }
}
