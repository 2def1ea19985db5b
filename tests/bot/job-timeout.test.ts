import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BotWorld } from '../support/bot-world.js';

/**
 * An attempt that runs past the bot's time limit (MARIONETTE_JOB_TIMEOUT_MINUTES;
 * shortened here) is stopped, fails for good with a sentence saying why, and
 * the worker is free for the next job.
 */
let world: BotWorld;
beforeAll(async () => {
  world = await BotWorld.create({ bot: { jobTimeoutMs: 1500 } });
  await world.startBot();
  world.store.updateGuildSettings(world.discord.guild().id, { perUserConcurrent: 10, perUserPerHour: 100, perUserPerDay: 1000 }, 'moderator');
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

describe('the time limit per attempt', () => {
  it('GIVEN a job that runs longer THEN it is stopped and fails without a retry, the member is told why, and the next job runs', async () => {
    const user = world.member('slow');
    const cmd = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('long.mp4', 300, 25) },
    });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(world.store.history(user.id).items[0]).toMatchObject({ state: 'failed' }), { timeout: 30_000 });
    const job = world.store.history(user.id).items[0]!;
    expect(job.attempts).toBe(1);
    expect(job.failureMessage).toBe(
      'Your animation failed. It took longer than this bot allows (1 minute), so it was stopped; a shorter driving video is quicker to make.',
    );
    await vi.waitFor(() => expect(cmd.originalMessage()?.content).toBe(job.failureMessage));

    const next = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('short.mp4', 5, 10) },
    });
    await next.waitForAck();
    await vi.waitFor(() => expect(world.store.history(user.id).items[0]).toMatchObject({ state: 'succeeded' }), { timeout: 30_000 });
  });
});
