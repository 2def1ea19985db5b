import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { botMessages } from '../../src/bot/messages/bot.js';
import { BotWorld } from '../support/bot-world.js';

/**
 * A first-time member's /animate where results are public: the channel reads
 * only that the command waits for them, and that line must not stay once the
 * wait is over — answered, expired, or forgotten by a restart (animate.test.ts).
 */
let world: BotWorld;
beforeAll(async () => {
  world = await BotWorld.create({ bot: { consentWaitMs: 5000 } });
  await world.startBot();
  await world.store.updateGuildSettings(world.discord.guild().id, { visibility: 'public' }, 'moderator');
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

const waitingRows = () => world.store.db.prepare('SELECT interaction_id FROM consent_waits').pluck().all() as string[];

describe('a public consent wait', () => {
  it('GIVEN the member never answers THEN the waiting line is removed when the wait expires, and a late Accept is still recorded', async () => {
    const user = world.discord.addUser({ username: 'silent-newcomer' });
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(cmd.followUps()).toHaveLength(1));
    expect(cmd.originalMessage()?.content).toBe(botMessages.consentPendingPublic);
    expect(waitingRows()).toEqual([cmd.id]);

    await vi.waitFor(() => expect(cmd.originalMessage()).toBeUndefined(), { timeout: 10_000 });
    expect(waitingRows()).toEqual([]);

    const prompt = cmd.followUps()[0]!;
    const click = await world.discord.clickButton({ message: prompt, customId: `consent:accept:${cmd.id}:${user.id}`, user });
    await click.waitForAck();
    await vi.waitFor(() => expect(world.discord.message(prompt.id)?.content).toBe(botMessages.consentAcceptedRunAgain));
    expect((await world.store.getUser(user.id))?.consent).toBe('accepted');
    expect((await world.store.history(user.id)).items).toHaveLength(0);
  });
});
