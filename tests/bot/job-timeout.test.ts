import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BotWorld } from '../support/bot-world.js';
import { failureText } from '../../src/bot/messages/failures.js';

/**
 * An attempt that runs past the bot's time limit (MARIONETTE_JOB_TIMEOUT_MINUTES;
 * shortened here) is stopped, fails for good with a sentence saying why, and
 * the worker is free for the next job. The slow job is made slow for certain:
 * its first generator batch stalls until the job is stopped (the engine's
 * test-only MARIONETTE_FAULT), so the limit can leave the next, normal job all
 * the time it needs on a slow machine.
 */
let world: BotWorld;
beforeAll(async () => {
  process.env['MARIONETTE_FAULT'] = 'worker-stall@1';
  world = await BotWorld.create({ bot: { jobTimeoutMs: 10_000 } });
  await world.startBot();
  await world.store.updateGuildSettings(world.discord.guild().id, { perUserConcurrent: 10, perUserPerHour: 100, perUserPerDay: 1000 }, 'moderator');
});
afterAll(async () => {
  await world.close();
  delete process.env['MARIONETTE_FAULT'];
});
afterEach(() => world.discord.assertNoViolations());

describe('the time limit per attempt', () => {
  it('GIVEN a job that runs longer THEN it is stopped and fails without a retry, the member is told why, and the next job runs', async () => {
    const user = await world.member('slow');
    const cmd = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('stalls.mp4', 20, 10) },
    });
    await cmd.waitForAck();
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ state: 'failed' }), { timeout: 60_000 });
    const job = (await world.store.history(user.id)).items[0]!;
    expect(job.attempts).toBe(1);
    expect(job.failure).toEqual({ reason: { code: 'timeout', minutes: 1 }, afterRetries: false });
    const told = 'Your animation failed. It took longer than this bot allows (1 minute), so it was stopped; a shorter driving video is quicker to make.';
    expect(failureText(job.failure!, job.attempts)).toBe(told);
    await vi.waitFor(() => expect(cmd.originalMessage()?.content).toBe(told));

    const next = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('short.mp4', 5, 10) },
    });
    await next.waitForAck();
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ state: 'succeeded' }), { timeout: 60_000 });
  });
});
