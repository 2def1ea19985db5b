import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Store } from '../../src/store/index.js';
import { BotProcess } from '../support/bot-process.js';
import { BotWorld } from '../support/bot-world.js';

/**
 * The bot as its own process, killed with SIGKILL in the middle of a job and
 * started again: the job is resumed and its clip delivered exactly once; a job
 * still queued behind it is delivered too. SIGTERM hands the running job back.
 */
let world: BotWorld;
let store: Store;
const processes: BotProcess[] = [];

beforeAll(async () => {
  world = await BotWorld.create();
  // The test's own connection to the bot's database (WAL: both can use it), without start-up recovery.
  store = Store.open({ dataDir: world.dataDir, recover: false });
  store.updateGuildSettings(world.discord.guild().id, { perUserConcurrent: 5 }, 'moderator');
});
afterAll(async () => {
  for (const p of processes) await p.kill9();
  store.close();
  await world.close();
});
afterEach(() => world.discord.assertNoViolations());

function startBot(): BotProcess {
  const p = BotProcess.start(world.env());
  processes.push(p);
  return p;
}

const resultPosts = (token: string) =>
  world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === token && r.files.length > 0 && r.status < 300);

describe('restart', () => {
  it('GIVEN kill -9 during inference THEN after a restart the job is resumed and delivered exactly once, and the queued one after it too', async () => {
    const first = startBot();
    await world.discord.waitForReady();
    const user = world.discord.addUser({ username: 'patient' });
    store.setConsent(user.id, 'accepted');
    const long = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video('long.mp4', 300, 25) } });
    await long.waitForAck();
    await vi.waitFor(() => expect(String(long.originalMessage()?.content ?? '')).toMatch(/queued|next in line|Animating/), { timeout: 30_000 });
    const short = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await short.waitForAck();
    await vi.waitFor(() => expect(String(short.originalMessage()?.content ?? '')).toMatch(/queued|next in line/), { timeout: 30_000 });
    await vi.waitFor(() => expect(String(long.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
    await first.kill9();

    const identifies = world.discord.identifies.length;
    startBot();
    await world.discord.waitForReady({ identifies: identifies + 1, timeout: 20_000 });
    await vi.waitFor(() => expect(resultPosts(long.token).length + resultPosts(short.token).length).toBe(2), { timeout: 90_000, interval: 200 });
    await new Promise((r) => setTimeout(r, 1500)); // time for any duplicate to show up
    expect(resultPosts(long.token)).toHaveLength(1);
    expect(resultPosts(short.token)).toHaveLength(1);
    const jobs = store.history(user.id).items;
    expect(jobs.map((j) => [j.state, j.delivery])).toEqual([
      ['succeeded', 'interaction'],
      ['succeeded', 'interaction'],
    ]);
  });

  it('GIVEN SIGTERM during a job THEN the bot exits cleanly, the job goes back to the queue, and the next process delivers it once', async () => {
    const current = processes[processes.length - 1]!;
    const user = world.discord.addUser({ username: 'graceful' });
    store.setConsent(user.id, 'accepted');
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video('long.mp4', 300, 25) } });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(String(cmd.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
    const code = current.exited();
    await current.signal('SIGTERM');
    expect(await code).toBe(0);
    const job = store.history(user.id).items[0]!;
    expect(['queued', 'succeeded']).toContain(store.getJob(job.id)?.state);

    const identifies = world.discord.identifies.length;
    startBot();
    await world.discord.waitForReady({ identifies: identifies + 1, timeout: 20_000 });
    await vi.waitFor(() => expect(resultPosts(cmd.token)).toHaveLength(1), { timeout: 90_000, interval: 200 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(resultPosts(cmd.token)).toHaveLength(1);
    expect(store.getJob(job.id)?.attempts).toBeLessThanOrEqual(2);
  });
});
