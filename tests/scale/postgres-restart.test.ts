import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { botMessages } from '../../src/bot/messages/bot.js';
import { BotProcess } from '../support/bot-process.js';
import { BotWorld } from '../support/bot-world.js';
import type { FakeInteraction, FakeUser } from '../support/fake-discord/index.js';
import { ownPostgres, skipUnlessPostgres, type OwnPostgres } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * PostgreSQL restarts in the middle of a load run: the bot (one worker thread) and a `marionette worker` process on
 * another "host" lose every connection for a few seconds. The store waits for the database (up to 30 s) instead of
 * failing: commands arriving meanwhile are acknowledged within Discord's 3 s all the same, and afterwards every
 * command — sent before, during or after the outage — is delivered exactly once, no member is told "something went
 * wrong", and no job is left queued, running or undelivered.
 */
const noPostgres = skipUnlessPostgres();

let world: BotWorld;
let server: OwnPostgres;
let worker: BotProcess;

beforeAll(async () => {
  if (noPostgres) return;
  server = await ownPostgres();
  const databaseUrl = await server.database();
  world = await BotWorld.create({
    env: { DATABASE_URL: databaseUrl, MARIONETTE_MEDIA: 'postgres', MARIONETTE_WORKERS: '1', MARIONETTE_LEASE_SECONDS: '6' },
  });
  await world.startBot();
  worker = BotProcess.startWorker({
    DATABASE_URL: databaseUrl,
    MARIONETTE_MEDIA: 'postgres',
    MARIONETTE_DATA_DIR: tempDir('marionette-worker-'),
    MARIONETTE_DEVICE: 'cpu',
    MARIONETTE_LEASE_SECONDS: '6',
    MARIONETTE_SHUTDOWN_GRACE_SECONDS: '2',
  });
}, 120_000);
afterAll(async () => {
  await worker?.signal('SIGTERM');
  await world?.close();
});
afterEach(() => world?.discord.assertNoViolations());

const clips = (token: string) => world.discord.requests.filter((r) => r.params['webhook_token'] === token && r.files.length > 0 && r.status < 300);

async function animate(member?: FakeUser): Promise<{ userId: string; cmd: FakeInteraction }> {
  const user = member ?? (await world.member());
  const cmd = await world.discord.slashCommand({
    name: 'animate',
    user,
    options: { photo: await world.photo(), video: await world.video('clip.mp4', 30, 10) },
  });
  await cmd.waitForAck();
  return { userId: user.id, cmd };
}

describe.skipIf(noPostgres)('PostgreSQL restarts during a load run', () => {
  it('GIVEN jobs queued, running and arriving while the database restarts THEN each is delivered once, and none is left behind', async () => {
    // Members who accepted the terms already: the commands during the outage reach the bot with nothing else to do.
    const later = await Promise.all(Array.from({ length: 4 }, () => world.member()));
    const before = await Promise.all(Array.from({ length: 5 }, () => animate()));
    await vi.waitFor(async () => expect((await world.store.jobCounts()).running).toBeGreaterThan(0), { timeout: 60_000, interval: 100 });
    const restarting = server.restart({ mode: 'immediate', downMs: 3000 });
    // Commands during the outage: acknowledged (the fake enforces Discord's 3 s), queued once the database is back.
    const during = await Promise.all(later.slice(0, 2).map((m) => animate(m)));
    await restarting;
    const after = await Promise.all(later.slice(2).map((m) => animate(m)));

    const all = [...before, ...during, ...after];
    for (const { cmd } of all) await vi.waitFor(() => expect(clips(cmd.token)).toHaveLength(1), { timeout: 300_000, interval: 250 });
    for (const { userId } of all) expect((await world.store.history(userId)).items.map((j) => j.state)).toEqual(['succeeded']);
    const sentences = world.discord.requests.map((r) => JSON.stringify(r.json ?? null)).join('\n');
    expect(sentences).not.toContain(botMessages.internalError);
    expect(sentences).not.toContain(botMessages.databaseUnreachable);
    await new Promise((r) => setTimeout(r, 2000));
    for (const { cmd } of [...before, ...during, ...after]) expect(clips(cmd.token).length).toBeLessThanOrEqual(1);
    expect(await world.store.jobCounts()).toEqual({ queued: 0, running: 0, awaitingDelivery: 0 });
  }, 600_000);
});
