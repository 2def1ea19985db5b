import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { botMessages } from '../../src/bot/messages/bot.js';
import { mediaKey, PostgresMediaStore } from '../../src/media/index.js';
import { Store } from '../../src/store/index.js';
import { BotProcess } from '../support/bot-process.js';
import { BotWorld } from '../support/bot-world.js';
import { REPO_ROOT } from '../support/cli.js';
import { skipUnlessPostgres, testDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Workers as their own processes (`marionette worker`), each with its own data folder as on another host: the bot
 * (no worker threads of its own) admits and delivers; the jobs' photos, videos and clips travel through PostgreSQL.
 */
const noPostgres = skipUnlessPostgres();
const run = promisify(execFile);

let world: BotWorld;
let databaseUrl: string;
let models: { all: string; defaultOnly: string };
const workers: BotProcess[] = [];

/** A models folder holding the demo model as `default` and, when asked, a copy of it named `second`. */
function modelsFolder(withSecond: boolean): string {
  const dir = tempDir('marionette-models-');
  cpSync(join(REPO_ROOT, 'models', 'default'), join(dir, 'default'), { recursive: true });
  if (withSecond) {
    cpSync(join(REPO_ROOT, 'models', 'default'), join(dir, 'second'), { recursive: true });
    const manifest = join(dir, 'second', 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), name: 'second' }));
  }
  return dir;
}

/** The settings a worker on "another host" gets: the bot's database, the media through it, a data folder of its own. */
function workerEnv(modelsDir: string, dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    MARIONETTE_MEDIA: 'postgres',
    MARIONETTE_DATA_DIR: dataDir,
    MARIONETTE_MODELS_DIR: modelsDir,
    MARIONETTE_DEVICE: 'cpu',
    MARIONETTE_LEASE_SECONDS: '4',
    MARIONETTE_SHUTDOWN_GRACE_SECONDS: '2',
    LOG_LEVEL: 'debug',
  };
}

function startWorker(modelsDir: string, extra: Record<string, string> = {}): { process: BotProcess; dataDir: string } {
  const dataDir = tempDir('marionette-worker-');
  const process = BotProcess.startWorker({ ...workerEnv(modelsDir, dataDir), ...extra });
  workers.push(process);
  return { process, dataDir };
}

async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.signal('SIGTERM')));
}

beforeAll(async () => {
  if (noPostgres) return;
  databaseUrl = await testDatabase();
  models = { all: modelsFolder(true), defaultOnly: modelsFolder(false) };
  world = await BotWorld.create({
    env: { DATABASE_URL: databaseUrl, MARIONETTE_MEDIA: 'postgres', MARIONETTE_WORKERS: '0', MARIONETTE_LEASE_SECONDS: '4', MARIONETTE_MODELS_DIR: models.all },
  });
  await world.startBot();
});
afterAll(async () => {
  await stopWorkers();
  await world?.close();
});
afterEach(async () => {
  await stopWorkers();
  world?.discord.assertNoViolations();
});

const results = (token: string) =>
  world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === token && r.files.length > 0 && r.status < 300);
const edits = (token: string) =>
  world.discord.requests.filter((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === token && r.status < 300);
const contentOf = (r: { json?: unknown }) => String((r.json as { content?: unknown } | undefined)?.content ?? '');

async function animate(options: Record<string, unknown> = {}, frames = 20) {
  const user = await world.member();
  const cmd = await world.discord.slashCommand({
    name: 'animate',
    user,
    options: { photo: await world.photo(), video: await world.video('clip.mp4', frames, 10), ...options },
  });
  await cmd.waitForAck();
  return { user, cmd };
}

async function jobOf(userId: string) {
  return vi.waitFor(
    async () => {
      const job = (await world.store.history(userId)).items[0];
      if (!job) throw new Error('not queued yet');
      return job;
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** The job files a worker's data folder still holds (none once its attempts are over). */
const jobFolders = (dataDir: string) => (existsSync(join(dataDir, 'jobs')) ? readdirSync(join(dataDir, 'jobs')) : []);

describe.skipIf(noPostgres)('workers on other hosts', () => {
  it(
    'GIVEN a bot without worker threads and two `marionette worker` processes, each with its own data folder, THEN every job is run by ' +
      'a worker and delivered once, a job for a model only one worker has runs there, fetched files are removed, and status shows both',
    async () => {
      const a = startWorker(models.defaultOnly);
      const b = startWorker(models.all);
      await vi.waitFor(async () => expect((await world.store.listWorkers()).filter((w) => w.kind === 'worker')).toHaveLength(2), { timeout: 60_000 });

      const plain = await Promise.all([animate(), animate(), animate(), animate()]);
      const second = await animate({ model: 'second' });
      for (const { cmd } of [...plain, second]) {
        await vi.waitFor(() => expect(results(cmd.token)).toHaveLength(1), { timeout: 180_000, interval: 250 });
      }
      for (const { user } of [...plain, second]) expect(await jobOf(user.id)).toMatchObject({ state: 'succeeded', attempts: 1 });

      // The job for "second" ran on the worker that has it: its log names the job, the other's does not.
      const secondJob = await jobOf(second.user.id);
      expect(b.process.log).toContain(secondJob.id);
      expect(a.process.log).not.toContain(secondJob.id);
      // The posted clip came from the media store into the bot's own job folder; the workers kept nothing.
      expect(existsSync(join(dirname(secondJob.source.path!), 'result.mp4'))).toBe(true);
      await vi.waitFor(() => expect([...jobFolders(a.dataDir), ...jobFolders(b.dataDir)]).toEqual([]), { timeout: 10_000 });

      const status = await run(process.execPath, [join(REPO_ROOT, 'bin', 'marionette.js'), 'status', '--json'], {
        env: { ...process.env, DATABASE_URL: databaseUrl },
      });
      const report = JSON.parse(status.stdout) as { queue: Record<string, number>; workers: Array<{ kind: string; state: string; jobsDone: number }> };
      expect(report.queue).toEqual({ queued: 0, running: 0, awaitingDelivery: 0 });
      const remote = report.workers.filter((w) => w.kind === 'worker');
      expect(remote.map((w) => w.state).sort()).toEqual(['idle', 'idle']);
      expect(remote.reduce((n, w) => n + w.jobsDone, 0)).toBe(5);
      expect(
        (await run(process.execPath, [join(REPO_ROOT, 'bin', 'marionette.js'), 'status'], { env: { ...process.env, DATABASE_URL: databaseUrl } })).stdout,
      ).toMatch(/Workers: 2 alive/);
    },
    300_000,
  );

  it('GIVEN a worker killed with SIGKILL mid-inference THEN after the lease another worker claims the job, and it is delivered once', async () => {
    // The engine's test hook holds the first worker in its third batch (as a slow job would), heartbeating, until it is killed.
    const first = startWorker(models.all, { MARIONETTE_FAULT: 'worker-stall@3' });
    const { user, cmd } = await animate({}, 60);
    const job = await jobOf(user.id);
    // Running, with progress its heartbeats reported: the bot shows it in the member's status message.
    await vi.waitFor(async () => expect((await world.store.getJob(job.id))?.progress ?? 0).toBeGreaterThan(0.05), { timeout: 120_000, interval: 100 });
    await vi.waitFor(() => expect(edits(cmd.token).some((r) => /Animating… \d+%/.test(contentOf(r)))).toBe(true), { timeout: 30_000 });
    await first.process.kill9();
    startWorker(models.all);
    await vi.waitFor(() => expect(results(cmd.token)).toHaveLength(1), { timeout: 240_000, interval: 250 });
    const done = (await world.store.getJob(job.id))!;
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(done.lastError).toMatch(/lease lost/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(results(cmd.token)).toHaveLength(1);
    expect(await world.store.jobCounts()).toEqual({ queued: 0, running: 0, awaitingDelivery: 0 });
  }, 400_000);

  it('GIVEN the stored photo is damaged before a worker fetches it THEN the job fails with a sentence saying so, and nothing is posted', async () => {
    const { user, cmd } = await animate();
    const job = await jobOf(user.id);
    await damage(mediaKey(job.id, 'photo'));
    startWorker(models.all);
    await vi.waitFor(async () => expect((await world.store.getJob(job.id))?.state).toBe('failed'), { timeout: 120_000, interval: 200 });
    await vi.waitFor(() => expect(edits(cmd.token).some((r) => /damaged or lost in storage/.test(contentOf(r)))).toBe(true), { timeout: 30_000 });
    expect(results(cmd.token)).toHaveLength(0);
  }, 200_000);

  it('GIVEN the stored clip is damaged before the bot posts it THEN the member is told so instead of getting a broken clip', async () => {
    // The test is the worker: it claims the job, stores a clip, damages it and completes the job.
    const { user, cmd } = await animate();
    const job = await jobOf(user.id);
    const store = await Store.open({ dataDir: tempDir('marionette-fake-worker-'), databaseUrl, recover: false });
    const media = await PostgresMediaStore.open({ connectionString: databaseUrl });
    try {
      const claim = await vi.waitFor(
        async () => {
          const c = await store.claimNext('test-worker');
          if (!c) throw new Error('nothing to claim yet');
          return c;
        },
        { timeout: 10_000 },
      );
      expect(claim.job.id).toBe(job.id);
      await media.put(
        mediaKey(job.id, 'result'),
        (async function* () {
          yield Buffer.alloc(300_000, 7);
        })(),
      );
      await damage(mediaKey(job.id, 'result'));
      await store.complete(job.id, claim.leaseId, { path: join(dirname(job.source.path!), 'result.mp4'), bytes: 300_000, durationMs: 2000 });
    } finally {
      await media.close();
      await store.close();
    }
    await vi.waitFor(() => expect(edits(cmd.token).some((r) => contentOf(r) === botMessages.clipLost)).toBe(true), { timeout: 30_000 });
    expect(results(cmd.token)).toHaveLength(0);
    expect(world.logLines.some((l) => l.includes('the stored clip is damaged or gone'))).toBe(true);
  }, 120_000);
});

/** Flips bytes in the middle of a stored object's first chunk, as a disk or a bad copy might. */
async function damage(key: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query(
      `UPDATE media_chunks SET data = overlay(data placing '\\xdeadbeef'::bytea from 100)
       WHERE chunk_no = 0 AND object_id = (SELECT id FROM media_objects WHERE key = $1 AND completed_ms IS NOT NULL)`,
      [key],
    );
    expect(r.rowCount).toBe(1);
  } finally {
    await client.end();
  }
}
