import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Store } from '../../src/store/index.js';
import { BotProcess } from '../support/bot-process.js';
import { BotWorld } from '../support/bot-world.js';
import { skipUnlessPostgres, testDatabase } from '../support/postgres.js';

/**
 * The bot as a sharded gateway (MARIONETTE_SHARDS=auto): a ShardingManager process asks the fake's GET /gateway/bot
 * for the count (2), runs one bot process per shard on one PostgreSQL store, and restarts one that dies. Each shard
 * process answers and delivers its own guilds' jobs; one killed with SIGKILL in the middle of a delivery is started
 * again, and the delivery it left in doubt is finished once.
 */
const noPostgres = skipUnlessPostgres();

let world: BotWorld;
let store: Store;
let manager: BotProcess;

beforeAll(async () => {
  if (noPostgres) return;
  const databaseUrl = await testDatabase();
  world = await BotWorld.create({
    discord: { guilds: [{ onShard: [0, 2] }, { onShard: [1, 2] }], recommendedShards: 2, maxConcurrency: 2 },
    env: { DATABASE_URL: databaseUrl, MARIONETTE_SHARDS: 'auto', MARIONETTE_WORKERS: '1', MARIONETTE_LEASE_SECONDS: '4' },
  });
  store = await Store.open({ dataDir: world.dataDir, databaseUrl, recover: false });
  manager = BotProcess.start(world.env());
  await world.discord.waitForReady({ identifies: 2, timeout: 60_000 });
}, 90_000);
afterAll(async () => {
  await manager?.signalAll('SIGTERM');
  await store?.close();
  await world?.close();
});
afterEach(() => world?.discord.assertNoViolations());

const guildOn = (shard: number) => world.discord.guildsOnShard(shard, 2)[0]!.id;
const clips = (token: string) => world.discord.requests.filter((r) => r.params['webhook_token'] === token && r.files.length > 0 && r.status < 300);

/** The log lines of the shard processes, parsed. */
function logLines(): Array<Record<string, unknown>> {
  return manager.log.split('\n').flatMap((l) => {
    try {
      return l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : [];
    } catch {
      return []; // a line two processes' writes interleaved
    }
  });
}

async function animateIn(guildId: string, username: string) {
  const user = world.discord.addUser({ username });
  await store.setConsent(user.id, 'accepted');
  const cmd = await world.discord.slashCommand({ name: 'animate', user, guildId, options: { photo: await world.photo(), video: await world.video() } });
  await cmd.waitForAck();
  return { user, cmd };
}

describe.skipIf(noPostgres)('a sharded bot', () => {
  it('GIVEN MARIONETTE_SHARDS=auto THEN one process per recommended shard identifies, and each delivers its own guilds’ jobs once', async () => {
    expect(world.discord.gatewaySessions().map((s) => s.shard)).toEqual(
      expect.arrayContaining([
        [0, 2],
        [1, 2],
      ]),
    );
    const first = await animateIn(guildOn(0), 'on-shard-0');
    const second = await animateIn(guildOn(1), 'on-shard-1');
    for (const { cmd } of [first, second]) await vi.waitFor(() => expect(clips(cmd.token)).toHaveLength(1), { timeout: 120_000, interval: 250 });
    const jobs = await Promise.all([first, second].map(async ({ user }) => (await store.history(user.id)).items[0]!));
    const deliveredBy = (jobId: string) => logLines().find((l) => l['msg'] === 'delivered' && l['job'] === jobId)?.['shard'];
    expect(deliveredBy(jobs[0]!.id)).toBe('0');
    expect(deliveredBy(jobs[1]!.id)).toBe('1');
  }, 180_000);

  it('GIVEN the shard 1 process is killed with SIGKILL while a delivery is in doubt THEN it is started again and delivers the clip once', async () => {
    const { user, cmd } = await animateIn(guildOn(1), 'in-doubt');
    // Every request to this command's webhook gets a 500 (which may or may not have landed) until shard 1 is killed:
    // the follow-up and the later edit of the original both fail, so the delivery stays in doubt however fast the
    // deliverer retries, and however slowly this test looks.
    let holding = true;
    world.discord.failRequests({ match: (t) => holding && t.path.includes(cmd.token), status: 500, times: Number.MAX_SAFE_INTEGER });
    await vi.waitFor(async () => expect((await store.history(user.id)).items[0]?.delivery).toBe('delivering'), { timeout: 120_000, interval: 100 });
    const shard1 = logLines().filter((l) => l['msg'] === 'connected to Discord' && l['shard'] === '1');
    const pid = Number(shard1.at(-1)!['pid']);
    process.kill(pid, 'SIGKILL');
    await vi.waitFor(() => expect(logLines().filter((l) => l['msg'] === 'connected to Discord' && l['shard'] === '1')).toHaveLength(shard1.length + 1), {
      timeout: 60_000,
      interval: 200,
    });
    // Only now: a request the killed process had written just before it died can still reach the fake after the
    // kill (it sits in the socket), and it must meet a 500 like the rest — otherwise it lands, and the clip is posted
    // twice, which is the very doubt being drilled (a real Discord would have posted it; nothing can see an ephemeral
    // follow-up to tell). The new process's first try may meet one too: it stays in doubt and retries.
    holding = false;
    await vi.waitFor(async () => expect((await store.history(user.id)).items[0]?.delivery).toBe('interaction'), { timeout: 120_000, interval: 200 });
    expect(clips(cmd.token)).toHaveLength(1);
    expect(clips(cmd.token)[0]!.operationId).toBe('update_original_webhook_message');
    expect(await store.jobCounts()).toEqual({ queued: 0, running: 0, awaitingDelivery: 0 });
  }, 300_000);
});
