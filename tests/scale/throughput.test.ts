import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BotProcess } from '../support/bot-process.js';
import { BotWorld } from '../support/bot-world.js';
import { REPO_ROOT } from '../support/cli.js';
import { range } from '../support/in-order.js';
import { skipUnlessPostgres, testDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';
import { waitForProgress } from '../support/wait-progress.js';
import { scaleReport, writeScaleReport, type SetupKey, type SetupResult } from './throughput-report.js';

/**
 * Throughput of the set-ups, side by side: the same N identical jobs, sent by N members at once, through
 *   (a) today's default — one bot on SQLite running jobs in its one worker thread;
 *   (b) the bot (no worker threads) on PostgreSQL, media through PostgreSQL, one `marionette worker` process;
 *   (c) the same with two worker processes.
 * Each must deliver every clip exactly once, every job succeeded, nothing left queued or running. How long it took is
 * a figure, never asserted: with MARIONETTE_SCALE_REPORT=<file> (`npm run bench:scale`, N=12) it goes to a JSON report
 * and docs/scale-throughput.svg. N is MARIONETTE_SCALE_JOBS (default 3, cheap inside `npm test`). With
 * MARIONETTE_SCALE_MODEL=<models folder> (e.g. the seeded vox-256 of data/bench/fomm) the bot and workers use that
 * folder's models instead of the demo model.
 */
const JOBS = jobsFromEnv();
const FRAMES = 60;
const FPS = 10;
const MODELS = modelsFromEnv();
const REPORT = process.env['MARIONETTE_SCALE_REPORT']?.trim() || null;
const noPostgres = skipUnlessPostgres();

const measured: SetupResult[] = [];

function jobsFromEnv(): number {
  const raw = process.env['MARIONETTE_SCALE_JOBS']?.trim() || '3';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`MARIONETTE_SCALE_JOBS must be a whole number from 1 to 100, not "${raw}".`);
  return n;
}

/**
 * The models folder and the model jobs use. MARIONETTE_SCALE_MODEL may name a models folder (its `default` model,
 * else its first) or one model's folder (holding manifest.json: its parent is the models folder).
 */
function modelsFromEnv(): { dir: string; model: string; label: string } {
  const given = process.env['MARIONETTE_SCALE_MODEL']?.trim();
  if (!given) return { dir: join(REPO_ROOT, 'models'), model: 'default', label: 'demo (models/default)' };
  const path = resolve(given);
  const nameIn = (modelDir: string) => (JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as { name: string }).name;
  if (existsSync(join(path, 'manifest.json'))) return { dir: dirname(path), model: nameIn(path), label: relative(REPO_ROOT, path) || basename(path) };
  const names = existsSync(path)
    ? readdirSync(path)
        .filter((d) => existsSync(join(path, d, 'manifest.json')))
        .map((d) => nameIn(join(path, d)))
        .sort()
    : [];
  if (names.length === 0)
    throw new Error(`MARIONETTE_SCALE_MODEL (${given}) holds no model: name a models folder, or a model's folder with its manifest.json.`);
  const model = names.includes('default') ? 'default' : names[0]!;
  return { dir: path, model, label: `${relative(REPO_ROOT, path) || basename(path)}: ${model}` };
}

const stallMs = process.env['MARIONETTE_SCALE_MODEL'] ? 20 * 60_000 : 180_000;

interface Setup {
  readonly key: SetupKey;
  readonly label: string;
  /** Worker processes to start; 0: the bot runs the jobs in its own worker thread (SQLite). */
  readonly workerProcesses: number;
}

/** Runs one set-up from a fresh bot (and fresh database) to the last delivery, checks what it did, and returns its figures. */
async function measure(setup: Setup): Promise<SetupResult> {
  const postgres = setup.workerProcesses > 0;
  const kind = postgres ? 'worker' : 'bot';
  const databaseUrl = postgres ? await testDatabase() : null;
  const common = { MARIONETTE_MODELS_DIR: MODELS.dir, MARIONETTE_DEFAULT_MODEL: MODELS.model, LOG_LEVEL: 'info' };
  const world = await BotWorld.create({
    env: {
      ...common,
      MARIONETTE_PROGRESS_SECONDS: '5',
      MARIONETTE_WORKERS: postgres ? '0' : '1',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, MARIONETTE_MEDIA: 'postgres' } : {}),
    },
  });
  const workers: BotProcess[] = [];
  try {
    await world.startBot();
    for (const _ of range(setup.workerProcesses)) {
      workers.push(
        BotProcess.startWorker({
          ...common,
          DATABASE_URL: databaseUrl!,
          MARIONETTE_MEDIA: 'postgres',
          MARIONETTE_DATA_DIR: tempDir('marionette-worker-'),
          MARIONETTE_DEVICE: 'cpu',
          MARIONETTE_WORKERS: '1',
          MARIONETTE_SHUTDOWN_GRACE_SECONDS: '2',
        }),
      );
    }
    // Every process that runs jobs has registered before the first command (model loading still counts: see the report's note).
    await vi.waitFor(
      async () => {
        const alive = (await world.store.listWorkers()).filter((w) => w.stoppedMs === null && w.slots > 0);
        expect(alive.filter((w) => w.kind === kind)).toHaveLength(postgres ? setup.workerProcesses : 1);
      },
      { timeout: 60_000, interval: 200 },
    );

    const photo = await world.photo();
    const video = await world.video('clip.mp4', FRAMES, FPS);
    const members = await Promise.all(range(JOBS).map(() => world.member()));
    const commands = await Promise.all(members.map((user) => world.discord.slashCommand({ name: 'animate', user, options: { photo, video } })));
    await Promise.all(commands.map((c) => c.waitForAck()));

    const posted = (token: string) =>
      world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === token && r.files.length > 0 && r.status < 300);
    await waitForProgress(`${setup.label}: clips delivered`, () => commands.filter((c) => posted(c.token).length > 0).length, JOBS, { stallMs });
    const firstMs = Math.min(...commands.map((c) => c.createdAt));
    const lastMs = Math.max(...commands.map((c) => posted(c.token)[0]!.at));

    // Correctness: each clip posted once (also after the deliverer's next rounds), each job succeeded at its first
    // attempt, nothing left in the queue, and the jobs ran where the set-up says.
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of commands) expect(posted(c.token), `clip for ${c.id}`).toHaveLength(1);
    for (const user of members) {
      const jobs = (await world.store.history(user.id)).items;
      expect(jobs, `jobs of ${user.id}`).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ state: 'succeeded', attempts: 1 });
    }
    expect(await world.store.jobCounts()).toEqual({ queued: 0, running: 0, awaitingDelivery: 0 });
    // What each process that runs jobs did, as its heartbeats report it (within a heartbeat, at most 10 s).
    const runners = await vi.waitFor(
      async () => {
        const ws = (await world.store.listWorkers()).filter((w) => w.kind === kind);
        expect(ws.reduce((n, w) => n + w.jobsDone, 0)).toBe(JOBS);
        return ws;
      },
      { timeout: 30_000, interval: 250 },
    );
    world.discord.assertNoViolations();

    const seconds = (lastMs - firstMs) / 1000;
    const result: SetupResult = {
      key: setup.key,
      label: setup.label,
      store: postgres ? 'postgres' : 'sqlite',
      media: postgres ? 'postgres' : 'local',
      botWorkerThreads: postgres ? 0 : 1,
      workerProcesses: setup.workerProcesses,
      jobs: JOBS,
      seconds,
      jobsPerMinute: (JOBS / seconds) * 60,
      jobsPerWorker: postgres ? runners.map((w) => w.jobsDone).sort((x, y) => y - x) : [],
      workerPeakRssMb: workers.map((w) => Math.round(w.peakRssMb())),
    };
    process.stdout.write(
      `scale (${setup.key}) ${setup.label}: ${JOBS} jobs in ${seconds.toFixed(1)} s, ${result.jobsPerMinute.toFixed(2)} jobs/min` +
        (postgres ? `, jobs per worker ${result.jobsPerWorker.join('+')}, worker peak RSS ${result.workerPeakRssMb.join('/')} MB\n` : '\n'),
    );
    return result;
  } finally {
    await Promise.all(workers.map((w) => w.signal('SIGTERM')));
    await world.close();
  }
}

afterAll(() => {
  if (measured.length === 0) return;
  const report = scaleReport({ jobs: JOBS, frames: FRAMES, fps: FPS, model: MODELS.label, setups: measured });
  process.stdout.write(`scale figures: ${JSON.stringify({ setups: report.setups.map((s) => [s.key, s.seconds, s.jobsPerMinute]), ratios: report.ratios })}\n`);
  if (REPORT) {
    const written = writeScaleReport(REPORT, report);
    process.stdout.write(`scale report: ${written.json}, chart: ${written.svg}\n`);
  }
});

// A stall fails a set-up long before this (waitForProgress): the limit only bounds a run that keeps crawling.
const LIMIT_MS = 2 * 60 * 60_000;

describe(`throughput: ${JOBS} identical jobs from ${JOBS} members at once`, () => {
  it(
    'GIVEN the default set-up (one bot on SQLite, one worker thread) THEN every job succeeds and each clip is delivered once',
    async () => {
      measured.push(await measure({ key: 'a', label: 'SQLite, bot with 1 worker thread', workerProcesses: 0 }));
    },
    LIMIT_MS,
  );

  describe.skipIf(noPostgres)('on PostgreSQL, with `marionette worker` processes', () => {
    it(
      'GIVEN a bot without worker threads and one worker process (media through PostgreSQL) THEN every job succeeds and each clip is delivered once',
      async () => {
        measured.push(await measure({ key: 'b', label: 'PostgreSQL, 1 worker process', workerProcesses: 1 }));
      },
      LIMIT_MS,
    );

    it(
      'GIVEN a bot without worker threads and two worker processes THEN every job succeeds and each clip is delivered once, ' +
        'the workers between them running every job',
      async () => {
        measured.push(await measure({ key: 'c', label: 'PostgreSQL, 2 worker processes', workerProcesses: 2 }));
      },
      LIMIT_MS,
    );
  });
});
