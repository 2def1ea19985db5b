import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BotWorld, bodyField } from '../support/bot-world.js';
import type { FakeInteraction, FakeUser } from '../support/fake-discord/index.js';
import { seedJob } from '../support/seed-jobs.js';
import { inOrder } from '../support/in-order.js';

/**
 * /forget-me through the fake Discord: a confirmation first, then every job
 * (in every server, running ones stopped first), every file on disk and the
 * consent record are gone, and the reply says how many.
 */
let world: BotWorld;
beforeAll(async () => {
  world = await BotWorld.create({ discord: { guilds: [{ name: 'Puppets' }, { name: 'Elsewhere' }] } });
  await world.startBot();
  for (const g of world.discord.guilds) {
    await world.store.updateGuildSettings(g.id, { perUserPerHour: 100, perUserPerDay: 1000, perUserConcurrent: 10 }, 'moderator');
  }
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

async function forgetMe(user: FakeUser): Promise<FakeInteraction> {
  const cmd = await world.discord.slashCommand({ name: 'forget-me', user });
  await cmd.waitForAck();
  return cmd;
}

async function press(cmd: FakeInteraction, action: 'confirm' | 'cancel', as: FakeUser, owner: FakeUser): Promise<FakeInteraction> {
  const c = await world.discord.clickButton({ message: cmd.originalMessage()!, customId: `forget:${action}:${owner.id}`, user: as });
  await c.waitForAck();
  return c;
}

async function seedIn(user: FakeUser, guildIndex: number) {
  const g = world.discord.guilds[guildIndex]!;
  return await seedJob(world.store, { userId: user.id, guildId: g.id, channelId: g.channels[0]!.id });
}

describe('/forget-me', () => {
  it(
    'GIVEN jobs in two servers and one being made THEN after confirming, every job, file and the consent are gone, the reply counts them, ' +
      'and /animate asks for consent again',
    async () => {
      const user = await world.member('forgetful');
      const jobs = await inOrder([0, 0, 1], (guild) => seedIn(user, guild));
      const running = await world.discord.slashCommand({
        name: 'animate',
        user,
        options: { photo: await world.photo(), video: await world.video('long.mp4', 300, 25) },
      });
      await running.waitForAck();
      await vi.waitFor(() => expect(String(running.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
      const runningJob = (await world.store.history(user.id)).items[0]!;
      const dirs = [...jobs, runningJob].map((j) => world.store.jobDirectory(j.id));
      for (const d of dirs) expect(existsSync(d)).toBe(true);

      const cmd = await forgetMe(user);
      const prompt = cmd.originalMessage()!;
      expect(prompt.flags! & (1 << 6)).toBe(1 << 6);
      expect(prompt.content).toMatch(/^\*\*Delete everything Marionette holds about you\?\*\*/);
      expect((await world.store.history(user.id)).items).toHaveLength(4); // nothing happens before the click

      await press(cmd, 'confirm', user, user);
      await vi.waitFor(() => expect(cmd.originalMessage()?.content).toMatch(/^Done\./), { timeout: 20_000 });
      expect(cmd.originalMessage()!.content).toMatch(/^Done\. Deleted 4 animations and \d+ files, and your answer to the terms\.\n/);
      expect(cmd.originalMessage()!.components).toEqual([]);
      expect((await world.store.history(user.id)).items).toEqual([]);
      expect(await world.store.getUser(user.id)).toBeUndefined();
      for (const d of dirs) expect(existsSync(d)).toBe(false);
      await new Promise((r) => setTimeout(r, 1000)); // the stopped worker writes nothing afterwards
      for (const d of dirs) expect(existsSync(d)).toBe(false);
      // The stopped job's status message says so; no Cancel button is left on it. (A progress edit that was on its
      // way when the job stopped is answered with the plain cancellation.)
      await vi.waitFor(() => expect(running.originalMessage()?.components ?? []).toEqual([]));
      await new Promise((r) => setTimeout(r, 1500)); // a progress edit that was on its way has landed, and been followed up
      expect(running.originalMessage()?.content).toBe('Stopped: you deleted your data with /forget-me, this animation included.');
      expect(running.originalMessage()?.components ?? []).toEqual([]);

      const again = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
      await again.waitForAck();
      const edit = await world.discord.waitForRequest((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === again.token);
      expect(String(bodyField(edit, 'content'))).toMatch(/Only animate people who agreed to it/);
    },
  );

  it(
    'GIVEN a command still downloading its attachments THEN forget-me withdraws it: nothing is queued, no user row comes back, and the ' +
      'member is told to run it again',
    async () => {
      const user = await world.member('mid-download');
      const video = await world.video();
      video.fault = { kind: 'drip', chunkBytes: 2000, intervalMs: 200 };
      const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video } });
      await cmd.waitForAck();
      await vi.waitFor(() => expect(world.discord.cdnRequests.some((r) => r.attachmentId === video.id)).toBe(true), { timeout: 10_000 });

      const forget = await forgetMe(user);
      await press(forget, 'confirm', user, user);
      await vi.waitFor(() => expect(forget.originalMessage()?.content).toMatch(/^Done\./), { timeout: 20_000 });
      await vi.waitFor(
        () =>
          expect(cmd.originalMessage()?.content).toBe(
            'Your Marionette data was deleted while this command was being prepared, so nothing was queued. Run /animate again if you want an animation.',
          ),
        { timeout: 30_000 },
      );
      expect((await world.store.history(user.id)).items).toEqual([]);
      expect(await world.store.getUser(user.id)).toBeUndefined();
    },
  );

  it('GIVEN someone else presses Delete everything THEN it is refused and nothing is deleted; Keep my data deletes nothing', async () => {
    const owner = await world.member('keeper');
    const other = await world.member('prankster');
    const job = await seedIn(owner, 0);
    const cmd = await forgetMe(owner);

    const crafted = await press(cmd, 'confirm', other, owner);
    const reply = await world.discord.waitForRequest((r) => r.operationId === 'create_interaction_response' && r.params['interaction_id'] === crafted.id);
    expect(bodyField({ json: bodyField(reply, 'data') }, 'content')).toBe('Only the person who ran /forget-me can answer this.');
    expect(await world.store.getJob(job.id)).not.toBeNull();
    expect((await world.store.getUser(other.id))?.consent).toBe('accepted');

    await press(cmd, 'cancel', owner, owner);
    expect(cmd.originalMessage()!.content).toBe('Nothing was deleted.');
    expect(await world.store.getJob(job.id)).not.toBeNull();
    expect(existsSync(world.store.jobDirectory(job.id))).toBe(true);
    expect((await world.store.getUser(owner.id))?.consent).toBe('accepted');
  });
});
