/**
 * `marionette status [--json]`: the bot's workers (each one's last heartbeat, current jobs, throughput) and its
 * queue, read from the store the bot uses (DATABASE_URL, else the SQLite store in MARIONETTE_DATA_DIR). It only
 * reads: nothing is recovered or changed.
 */
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { loadRunSettings } from '../config/run-settings.js';
import { workerHealth, type WorkerHealth } from '../jobs/worker-health.js';
import { Store, type JobCounts } from '../store/index.js';
import { UsageError } from './args.js';
import { EXIT_OK, reportError } from './exit-codes.js';

export const STATUS_USAGE = `Usage: marionette status [--json]

The bot's workers (alive or not, current jobs, jobs per hour, how busy) and its queue, from the store the bot uses
(DATABASE_URL, else the SQLite store in MARIONETTE_DATA_DIR; settings from the environment or .env).
  --json   the same as one JSON object
`;

/** Workers not heard from for this long are shown silent (they report every 5 to 10 seconds). */
const SILENT_AFTER_MS = 60_000;
/** Workers seen in the last day are listed. */
const LISTED_MS = 24 * 60 * 60_000;

export async function statusCommand(argv: readonly string[]): Promise<number> {
  try {
    let json: boolean;
    try {
      json = parseArgs({ args: [...argv], options: { json: { type: 'boolean' } }, strict: true }).values.json ?? false;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    loadDotenv({ quiet: true });
    const settings = loadRunSettings(process.env, 0);
    const store = await Store.open({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, recover: false, poolSize: 1 });
    try {
      const now = store.now();
      const workers = (await store.listWorkers(now - LISTED_MS)).map((w) => workerHealth(w, now, SILENT_AFTER_MS));
      const queue = await store.jobCounts();
      process.stdout.write(json ? `${JSON.stringify({ store: store.file, queue, workers }, null, 2)}\n` : statusText(store.file, queue, workers));
    } finally {
      await store.close();
    }
    return EXIT_OK;
  } catch (e) {
    return reportError(e, 'status', 'Usage: marionette status [--json]');
  }
}

export function statusText(where: string, queue: JobCounts, workers: readonly WorkerHealth[]): string {
  const lines = [`Store: ${where}`, `Queue: ${queue.queued} waiting, ${queue.running} running, ${queue.awaitingDelivery} finished and not yet posted`, ''];
  // A bot process with no worker threads of its own (MARIONETTE_WORKERS=0) is listed, but runs no job.
  const runners = workers.filter((w) => w.slots > 0);
  const live = runners.filter((w) => w.state === 'working' || w.state === 'idle');
  const gone = runners.length - live.length;
  lines.push(`Workers: ${live.length} alive${gone > 0 ? `, ${gone} silent or stopped (last day)` : ''}`);
  for (const w of workers) {
    const rate = w.jobsPerHour === null ? 'rate not known yet' : `${w.jobsPerHour.toFixed(1)} jobs/h, busy ${Math.round((w.busyShare ?? 0) * 100)}%`;
    if (w.slots === 0) {
      lines.push(`  ${w.state.padEnd(7)} ${w.workerId} (bot, ${w.where}) seen ${ago(w.lastSeenAgoMs)} ago; runs no jobs itself`);
      continue;
    }
    lines.push(
      `  ${w.state.padEnd(7)} ${w.workerId} (${w.kind}, ${w.where}) seen ${ago(w.lastSeenAgoMs)} ago; ` +
        `${w.slots} slot${w.slots === 1 ? '' : 's'} on ${w.devices.join(', ')}; models ${w.models.join(', ') || 'none'}`,
    );
    const now = w.currentJobs.length > 0 ? `running ${w.currentJobs.join(', ')}` : 'no job now';
    lines.push(`          ${now}; ${w.jobsDone} done, ${w.jobsFailed} failed; ${rate}`);
  }
  if (runners.length === 0) lines.push('  none has run in the last day: start the bot with MARIONETTE_WORKERS ≥ 1, or `marionette worker`');
  return `${lines.join('\n')}\n`;
}

function ago(ms: number): string {
  if (ms < 90_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
