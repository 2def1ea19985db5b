import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { entryStatus } from '../../src/bot/history/view.js';
import { BotWorld, bodyField } from '../support/bot-world.js';
import { modelsWithBrokenCopy } from '../support/broken-model.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { createdAtWithTokenNearlySpent } from '../support/spent-token.js';

/**
 * Where a server's results are private and neither the interaction (its token
 * spent) nor a direct message (closed) can carry the result, the channel gets a
 * notice mentioning the member — without the clip, and without a failure's
 * reason — and /history says the clip is there to Show.
 */
let world: BotWorld;

beforeAll(async () => {
  world = await BotWorld.create({ discord: { ackWindowMs: null }, env: { MARIONETTE_MODELS_DIR: modelsWithBrokenCopy() } });
  await world.startBot();
  await world.store.updateGuildSettings(world.discord.guild().id, { visibility: 'requester', perUserPerHour: 100, perUserPerDay: 1000 }, 'moderator');
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

/** An /animate whose token is about spent, from a member whose DMs are closed; returns the channel message the bot posts. */
async function lateAnimate(user: FakeUser, model?: string) {
  await world.store.setConsent(user.id, 'accepted');
  const channel = world.discord.guild().channels[0]!;
  const cmd = await world.discord.slashCommand({
    name: 'animate',
    user,
    channelId: channel.id,
    options: { photo: await world.photo(), video: await world.video(), ...(model ? { model } : {}) },
    createdAt: createdAtWithTokenNearlySpent(world.discord),
  });
  await cmd.waitForAck();
  return world.discord.waitForRequest(
    (r) => r.operationId === 'create_message' && r.params['channel_id'] === channel.id && String(bodyField(r, 'content')).includes(`<@${user.id}>`),
    { timeout: 60_000 },
  );
}

describe('a private result that only the channel can reach', () => {
  it('GIVEN it succeeded THEN the channel gets a notice without the clip, and /history says to use Show', async () => {
    const user = world.discord.addUser({ username: 'private-ok', dmsClosed: true });
    const post = await lateAnimate(user);
    expect(post.files).toEqual([]);
    expect(String(bodyField(post, 'content'))).toBe(`<@${user.id}>, your animation is ready. It's private in this server: use /history to see it.`);
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ state: 'succeeded', delivery: 'channel' }));
    expect(entryStatus((await world.store.history(user.id)).items[0]!)).toBe('✅ Ready (private here, so the channel only got a notice): use Show to see it');
  });

  it('GIVEN it failed THEN the channel notice gives no reason; the reason stays in /history', async () => {
    const user = world.discord.addUser({ username: 'private-failed', dmsClosed: true });
    const post = await lateAnimate(user, 'broken');
    expect(String(bodyField(post, 'content'))).toBe(`<@${user.id}>, your animation could not be made. It's private in this server: use /history to see why.`);
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ state: 'failed', delivery: 'channel' }));
    expect(entryStatus((await world.store.history(user.id)).items[0]!)).toMatch(/^❌ Failed/);
  });
});
