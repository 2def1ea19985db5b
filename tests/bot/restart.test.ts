import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Store } from '../../src/store/index.js';
import { BotProcess } from '../support/bot-process.js';
import { BotWorld, bodyField } from '../support/bot-world.js';

/**
 * The bot as its own process, killed with SIGKILL in the middle of a job and
 * started again: the job is resumed and its clip delivered exactly once; a job
 * still queued behind it is delivered too. SIGTERM hands the running job back.
 * Each test starts its own bot process (and whatever it left running is killed
 * after it); they share one fake Discord and one data folder.
 */
let world: BotWorld;
let store: Store;
const processes: BotProcess[] = [];

beforeAll(async () => {
  world = await BotWorld.create();
  // The test's own connection to the bot's database (WAL: both can use it), without start-up recovery.
  store = await Store.open({ dataDir: world.dataDir, recover: false });
  await store.updateGuildSettings(world.discord.guild().id, { perUserConcurrent: 5, maxDrivingSeconds: 60 }, 'moderator');
});
afterAll(async () => {
  for (const p of processes) await p.kill9();
  await store.close();
  await world.close();
});
afterEach(async () => {
  for (const p of processes) await p.kill9();
  world.discord.assertNoViolations();
});

/** Starts the bot (`npm start`'s entry) as a process and waits until it has connected to the gateway. */
async function startBot(env: Record<string, string> = {}): Promise<BotProcess> {
  const identifies = world.discord.identifies.length;
  const p = BotProcess.start({ ...world.env(), ...env });
  processes.push(p);
  await world.discord.waitForReady({ identifies: identifies + 1, timeout: 30_000 });
  return p;
}

/**
 * A bot with a 1-second shutdown grace (MARIONETTE_SHUTDOWN_GRACE_SECONDS) running a 30-second driving video
 * (several seconds of work): a job that cannot finish in the grace, so stopping must hand it back.
 */
async function longJobRunning(username: string) {
  const current = await startBot({ MARIONETTE_SHUTDOWN_GRACE_SECONDS: '1' });
  const user = world.discord.addUser({ username });
  await store.setConsent(user.id, 'accepted');
  const cmd = await world.discord.slashCommand({
    name: 'animate',
    user,
    options: { photo: await world.photo(), video: await world.video('long.mp4', 750, 25) },
  });
  await cmd.waitForAck();
  await vi.waitFor(() => expect(String(cmd.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
  return { current, user, cmd, job: (await store.history(user.id)).items[0]! };
}

const resultPosts = (token: string) =>
  world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === token && r.files.length > 0 && r.status < 300);

describe('restart', () => {
  it('GIVEN kill -9 during inference THEN after a restart the job is resumed and delivered exactly once, and the queued one after it too', async () => {
    const first = await startBot();
    const user = world.discord.addUser({ username: 'patient' });
    await store.setConsent(user.id, 'accepted');
    const long = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('long.mp4', 300, 25) },
    });
    await long.waitForAck();
    await vi.waitFor(() => expect(String(long.originalMessage()?.content ?? '')).toMatch(/queued|next in line|Animating/), { timeout: 30_000 });
    const short = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await short.waitForAck();
    await vi.waitFor(() => expect(String(short.originalMessage()?.content ?? '')).toMatch(/queued|next in line/), { timeout: 30_000 });
    await vi.waitFor(() => expect(String(long.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
    await first.kill9();

    await startBot();
    await vi.waitFor(() => expect(resultPosts(long.token).length + resultPosts(short.token).length).toBe(2), { timeout: 90_000, interval: 200 });
    await new Promise((r) => setTimeout(r, 1500)); // time for any duplicate to show up
    expect(resultPosts(long.token)).toHaveLength(1);
    expect(resultPosts(short.token)).toHaveLength(1);
    const jobs = (await store.history(user.id)).items;
    expect(jobs.map((j) => [j.state, j.delivery])).toEqual([
      ['succeeded', 'interaction'],
      ['succeeded', 'interaction'],
    ]);
  });

  it(
    'GIVEN SIGTERM during a job longer than the shutdown grace THEN the bot exits cleanly, the job goes back to the queue uncounted, and ' +
      'the next process delivers it once',
    async () => {
      const { current, cmd, job } = await longJobRunning('graceful');
      expect(await store.getJob(job.id)).toMatchObject({ state: 'running', attempts: 1 });
      const code = current.exited();
      await current.signal('SIGTERM');
      expect(await code).toBe(0);
      expect(current.log).toContain('job handed back to the queue for shutdown');
      // Queued again at once, and the interrupted attempt not counted against the job's retries.
      expect(await store.getJob(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
      expect(resultPosts(cmd.token)).toHaveLength(0);

      await startBot();
      await vi.waitFor(() => expect(resultPosts(cmd.token)).toHaveLength(1), { timeout: 120_000, interval: 200 });
      await new Promise((r) => setTimeout(r, 1000));
      expect(resultPosts(cmd.token)).toHaveLength(1);
      expect(await store.getJob(job.id)).toMatchObject({ state: 'succeeded', attempts: 1 });
    },
  );

  it(
    'GIVEN every process of the bot signalled at once (a service manager stopping it, Ctrl-C in a terminal) THEN its ffmpeg dying first ' +
      'does not fail the job: it is handed back uncounted',
    async () => {
      const { current, user, job } = await longJobRunning('stopped-service');
      const code = current.exited();
      await current.signalAll('SIGTERM');
      expect(await code).toBe(0);
      expect(await store.getJob(job.id)).toMatchObject({ state: 'queued', attempts: 0, failure: null });
      // Not left for the next test's bot to run first.
      expect(await store.deleteJobForOwner(job.id, user.id)).toMatchObject({ deleted: true });
    },
  );

  it('GIVEN kill -9 while the attachments download THEN the next process tells the member to send the command again, and nothing was queued', async () => {
    const bot = await startBot();
    const user = world.discord.addUser({ username: 'downloading' });
    await store.setConsent(user.id, 'accepted');
    const video = await world.video('slow.mp4', 40, 10);
    video.fault = { kind: 'drip', chunkBytes: 2000, intervalMs: 200 };
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video } });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(world.discord.cdnRequests.some((r) => r.path.includes('slow.mp4'))).toBe(true), { timeout: 20_000 });
    await bot.kill9();

    await startBot();
    await vi.waitFor(
      () =>
        expect(cmd.originalMessage()?.content).toBe(
          'Marionette restarted while it was receiving your files, so this animation was not queued. Please run /animate again.',
        ),
      { timeout: 20_000 },
    );
    expect((await store.history(user.id)).items).toHaveLength(0);
  });

  it('GIVEN kill -9 while a delivery is failing (in doubt) THEN the next process delivers the clip once, by editing the original reply', async () => {
    const bot = await startBot();
    const user = world.discord.addUser({ username: 'in-doubt' });
    await store.setConsent(user.id, 'accepted');
    // The follow-up fails: the request and discord.js's three retries all get 500.
    world.discord.failRequests({ match: 'execute_webhook', status: 500, times: 4 });
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await cmd.waitForAck();
    await vi.waitFor(
      () =>
        expect(
          world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === cmd.token && r.status === 500),
        ).toHaveLength(4),
      { timeout: 60_000, interval: 100 },
    );
    await vi.waitFor(async () => expect((await store.history(user.id)).items[0]?.delivery).toBe('delivering'), { timeout: 10_000 });
    await bot.kill9();

    await startBot();
    await vi.waitFor(async () => expect((await store.history(user.id)).items[0]?.delivery).toBe('interaction'), { timeout: 30_000, interval: 200 });
    const delivered = world.discord.requests.filter((r) => r.params['webhook_token'] === cmd.token && r.files.length > 0 && r.status < 300);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.operationId).toBe('update_original_webhook_message');
    expect(String(bodyField(delivered[0]!, 'content'))).toContain('AI-generated');
  });
});
