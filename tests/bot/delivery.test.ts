import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { botMessages, DISCLAIMER } from '../../src/bot/messages/bot.js';
import { BotWorld, bodyField } from '../support/bot-world.js';
import { probe } from '../support/ffprobe.js';
import { expectLabel } from '../support/label-check.js';
import { seedJob } from '../support/seed-jobs.js';
import { createdAtWithTokenNearlySpent } from '../support/spent-token.js';
import { inOrder, range } from '../support/in-order.js';

/**
 * Delivery rules: within the token's life a follow-up; after it a channel
 * message mentioning only the requester; else a DM; else undelivered (kept in
 * history). Clips always fit the upload limit the interaction reported.
 */
let world: BotWorld;

beforeAll(async () => {
  // Interactions created in the past (an expired token) need the 3-second ack rule off.
  world = await BotWorld.create({
    discord: { ackWindowMs: null, guilds: [{ name: 'Puppets', channels: [{ name: 'general' }, { name: 'read-only', botCanSend: false }] }] },
    env: { MARIONETTE_DEFAULT_MODEL: 'default' },
  });
  await world.startBot();
  await world.store.updateGuildSettings(
    world.discord.guild().id,
    { visibility: 'public', perUserPerHour: 100, perUserPerDay: 1000, perUserConcurrent: 10 },
    'moderator',
  );
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

const channelByName = (name: string) => world.discord.guild().channels.find((c) => c.name === name)!;

/**
 * The disclaimer's wording, spelled out here rather than taken from the bot's own
 * constant (which a test comparing with it could not catch being weakened).
 */
function expectDisclaimer(content: string): void {
  expect(content).toContain(DISCLAIMER);
  expect(content).toMatch(/\*\*AI-generated\.\*\*/);
  expect(content).toMatch(/this is not a real recording/);
}

describe('delivery after the interaction token has expired', () => {
  it('GIVEN the token dies before the job is done THEN the clip is posted in the channel, mentioning only the requester, with the disclaimer', async () => {
    const user = await world.member('latecomer');
    const channel = channelByName('general');
    const interaction = await world.discord.slashCommand({
      name: 'animate',
      user,
      channelId: channel.id,
      options: { photo: await world.photo(), video: await world.video() },
      createdAt: createdAtWithTokenNearlySpent(world.discord),
    });
    await interaction.waitForAck();
    const post = await world.discord.waitForRequest((r) => r.operationId === 'create_message' && r.params['channel_id'] === channel.id && r.files.length > 0, {
      timeout: 60_000,
    });
    const content = String(bodyField(post, 'content'));
    expect(content).toContain(`<@${user.id}>`);
    expectDisclaimer(content);
    // The clip itself says what it is: the label burned into its frames, and its tags.
    expect(post.files).toHaveLength(1);
    const clip = join(world.mediaDir, `delivered-${user.id}.mp4`);
    writeFileSync(clip, post.files[0]!.data);
    await expectLabel(clip);
    expect(probe(clip).formatTags['ai_generated']).toBe('true');
    expect(bodyField(post, 'allowed_mentions')).toEqual({ parse: [], users: [user.id] });
    expect(bodyField(post, 'enforce_nonce')).toBe(true);
    expect(world.discord.requests.some((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token)).toBe(false);
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ delivery: 'channel' }));
  });

  it(
    'GIVEN a channel delivery left in doubt for longer than Discord enforces its nonce THEN the retry finds the clip it had ' + 'posted and posts nothing',
    async () => {
      const user = await world.member('doubtful');
      const channel = channelByName('general');
      const interaction = await world.discord.slashCommand({
        name: 'animate',
        user,
        channelId: channel.id,
        options: { photo: await world.photo(), video: await world.video() },
        createdAt: createdAtWithTokenNearlySpent(world.discord),
      });
      await interaction.waitForAck();
      await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ delivery: 'channel' }), { timeout: 60_000 });
      const job = (await world.store.history(user.id)).items[0]!;
      const isPost = (r: { operationId: string | null; params: Record<string, string>; files: Array<{ filename: string }> }) =>
        r.operationId === 'create_message' && r.params['channel_id'] === channel.id && r.files.some((f) => f.filename === `marionette-${job.id}.mp4`);
      const first = world.discord.requests.filter(isPost);
      expect(first).toHaveLength(1);
      const posted = (first[0]!.response as { id: string }).id;

      // As if the bot had died between Discord's answer and recording it, and came back ten minutes later: the
      // nonce no longer protects the retry.
      world.store.db
        .prepare("UPDATE jobs SET delivery = 'delivering', delivery_message_id = NULL, delivery_started_ms = ? WHERE id = ?")
        .run(world.store.now() - 10 * 60_000, job.id);
      const message = world.discord.message(posted)!;
      // (The fake's clock stays put: tokens age by it.)
      (message as { timestamp: string }).timestamp = new Date(world.discord.now() - 10 * 60_000).toISOString();
      await world.bot!.ctx.deliverer.kick();
      await vi.waitFor(async () => expect(await world.store.getJob(job.id)).toMatchObject({ delivery: 'channel' }));
      expect((await world.store.getJob(job.id))?.deliveryMessageId).toBe(posted);
      expect(world.discord.requests.filter(isPost)).toHaveLength(1);
      expect(world.discord.requests.some((r) => r.operationId === 'list_messages' && r.params['channel_id'] === channel.id)).toBe(true);
    },
  );

  it('GIVEN the bot may not post in the channel THEN the clip goes by direct message', async () => {
    const user = await world.member('dm-me');
    const channel = channelByName('read-only');
    const interaction = await world.discord.slashCommand({
      name: 'animate',
      user,
      channelId: channel.id,
      options: { photo: await world.photo(), video: await world.video() },
      createdAt: createdAtWithTokenNearlySpent(world.discord),
    });
    await interaction.waitForAck();
    const dm = world.discord.dmChannel(user);
    const post = await world.discord.waitForRequest((r) => r.operationId === 'create_message' && r.params['channel_id'] === dm.id && r.files.length > 0, {
      timeout: 60_000,
    });
    expectDisclaimer(String(bodyField(post, 'content')));
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ delivery: 'dm' }));
  });

  it('GIVEN no route works (no channel access, DMs closed) THEN the job is marked undelivered and stays in history', async () => {
    const user = world.discord.addUser({ username: 'unreachable', dmsClosed: true });
    await world.store.setConsent(user.id, 'accepted');
    const interaction = await world.discord.slashCommand({
      name: 'animate',
      user,
      channelId: channelByName('read-only').id,
      options: { photo: await world.photo(), video: await world.video() },
      createdAt: createdAtWithTokenNearlySpent(world.discord),
    });
    await interaction.waitForAck();
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ state: 'succeeded', delivery: 'failed' }), {
      timeout: 60_000,
    });
  });
});

describe('a delivery in doubt (an attempt whose answer was lost)', () => {
  // Passes run only when a job finishes and when the test kicks one: each step is the test's.
  beforeAll(async () => {
    await world.bot!.ctx.deliverer.stop();
    world.bot!.ctx.deliverer.start(3_600_000);
  });
  afterAll(async () => {
    await world.bot!.ctx.deliverer.stop();
    world.bot!.ctx.deliverer.start(500);
  });

  /** A public /animate whose clip follow-up Discord posts but whose answer is lost: the job is left in doubt. */
  async function followUpLandedAnswerLost(username: string, options: { lookupFailsFirst?: boolean } = {}) {
    const user = await world.member(username);
    const channel = channelByName('general');
    // (The lookup retries, if it fails, with discord.js's own three.)
    if (options.lookupFailsFirst) world.discord.failRequests({ match: 'list_messages', status: 500, times: 4 });
    // Discord posts the follow-up but its answer is lost (500); discord.js's three retries get 500 without posting.
    world.discord.failRequests({ match: 'execute_webhook', status: 500, times: 1, landed: true });
    world.discord.failRequests({ match: 'execute_webhook', status: 500, times: 3 });
    const interaction = await world.discord.slashCommand({
      name: 'animate',
      user,
      channelId: channel.id,
      options: { photo: await world.photo(), video: await world.video() },
    });
    await interaction.waitForAck();
    const followUpRequests = () => world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token);
    await vi.waitFor(() => expect(followUpRequests()).toHaveLength(4), { timeout: 60_000, interval: 100 });
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]?.delivery).toBe('delivering'), { timeout: 10_000 });
    const landed = interaction.followUps();
    expect(landed).toHaveLength(1);
    expect(landed[0]!.attachments).toHaveLength(1);
    const job = (await world.store.history(user.id)).items[0]!;
    /** Every request that carried this job's clip and was answered with success, on any route. */
    const clipPosts = () => world.discord.requests.filter((r) => r.status < 300 && r.files.some((f) => f.filename === `marionette-${job.id}.mp4`));
    return { user, channel, interaction, job, landedId: landed[0]!.id, followUpRequests, clipPosts };
  }

  it(
    'GIVEN a public follow-up that landed but whose answer was lost (in doubt) THEN the retry finds it in the channel and the clip is not ' + 'shown twice',
    async () => {
      // Looking fails too at first (Discord 5xx): the delivery stays in doubt, and nothing is posted meanwhile.
      const { user, channel, interaction, landedId, followUpRequests, clipPosts } = await followUpLandedAnswerLost('lost-answer', { lookupFailsFirst: true });
      await world.bot!.ctx.deliverer.kick();
      expect(world.discord.requests.filter((r) => r.operationId === 'list_messages' && r.status === 500)).toHaveLength(4);
      expect((await world.store.history(user.id)).items[0]?.delivery).toBe('delivering');
      expect(clipPosts()).toHaveLength(0);

      await world.bot!.ctx.deliverer.kick();
      await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]?.delivery).toBe('interaction'), { timeout: 10_000 });
      expect((await world.store.history(user.id)).items[0]?.deliveryMessageId).toBe(landedId);
      // Nothing else carries the clip: no second follow-up, and the original reply was not edited with it.
      expect(followUpRequests()).toHaveLength(4);
      expect(interaction.followUps()).toHaveLength(1);
      expect(clipPosts()).toHaveLength(0);
      expect(interaction.originalMessage()?.attachments).toHaveLength(0);
      expect(interaction.originalMessage()?.content).toBe(botMessages.done);
      expect(world.discord.requests.some((r) => r.operationId === 'list_messages' && r.params['channel_id'] === channel.id && r.status === 200)).toBe(true);
    },
  );

  it("GIVEN that lost follow-up's token expires before the retry THEN the channel route finds it too, and posts nothing", async () => {
    const { user, job, landedId, clipPosts } = await followUpLandedAnswerLost('lost-answer-late');
    world.store.db.prepare('UPDATE interaction_tokens SET expires_ms = 0 WHERE job_seq = (SELECT seq FROM jobs WHERE id = ?)').run(job.id);
    await world.bot!.ctx.deliverer.kick();
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]?.delivery).toBe('channel'), { timeout: 10_000 });
    expect((await world.store.history(user.id)).items[0]?.deliveryMessageId).toBe(landedId);
    expect(clipPosts()).toHaveLength(0);
  });

  it(
    'GIVEN the follow-up failed, then the edit of the original reply with the clip landed with its answer lost THEN the next retry records ' +
      'that reply, disclaimer intact',
    async () => {
      const user = await world.member('twice-in-doubt');
      const channel = channelByName('general');
      world.discord.failRequests({ match: 'execute_webhook', status: 500, times: 4 });
      const interaction = await world.discord.slashCommand({
        name: 'animate',
        user,
        channelId: channel.id,
        options: { photo: await world.photo(), video: await world.video() },
      });
      await interaction.waitForAck();
      await vi.waitFor(
        () =>
          expect(world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token)).toHaveLength(4),
        { timeout: 60_000, interval: 100 },
      );
      await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]?.delivery).toBe('delivering'), { timeout: 10_000 });
      expect(interaction.followUps()).toHaveLength(0);

      // The second attempt finds nothing and edits the original reply with the clip: Discord does it, the answer is lost.
      world.discord.failRequests({ match: 'update_original_webhook_message', status: 500, times: 1, landed: true });
      world.discord.failRequests({ match: 'update_original_webhook_message', status: 500, times: 3 });
      await world.bot!.ctx.deliverer.kick();
      await vi.waitFor(() => expect(interaction.originalMessage()?.attachments).toHaveLength(1));
      expect((await world.store.history(user.id)).items[0]?.delivery).toBe('delivering');

      await world.bot!.ctx.deliverer.kick();
      await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]?.delivery).toBe('interaction'), { timeout: 10_000 });
      const original = interaction.originalMessage()!;
      expect((await world.store.history(user.id)).items[0]?.deliveryMessageId).toBe(original.id);
      expect(original.attachments).toHaveLength(1);
      expectDisclaimer(original.content);
      expect(interaction.followUps()).toHaveLength(0);
    },
  );
});

describe('upload limit', () => {
  it('GIVEN a clip larger than the limit the interaction reported THEN it is re-encoded to fit and still carries its tags', async () => {
    const user = await world.member('tight');
    const limit = 40 * 1024;
    const interaction = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('long.mp4', 80, 20) },
      attachmentSizeLimit: limit,
    });
    await interaction.waitForAck();
    const followUp = await world.discord.waitForRequest(
      (r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token && r.files.length > 0,
      { timeout: 90_000 },
    );
    const file = followUp.files[0]!;
    expect(file.data.length).toBeLessThanOrEqual(limit);
    const out = join(world.mediaDir, 'fitted.mp4');
    writeFileSync(out, file.data);
    const p = probe(out);
    expect(p.video?.frames).toBe(80);
    expect(p.formatTags['ai_generated']).toBe('true');
    expect(p.formatTags['comment']).toMatch(/^AI-generated with Marionette/);
  });
});

describe('many deliveries waiting out an outage', () => {
  it('GIVEN more older deliveries waiting for their retry than one page holds THEN a newly finished job is still delivered at once', async () => {
    // 60 finished jobs whose deliveries failed five times (an outage): the next try is a minute away for each.
    const waiting = await world.member('patient');
    const channel = channelByName('general');
    const seeded = await inOrder(range(60), async () => {
      const job = await seedJob(world.store, { userId: waiting.id, guildId: world.discord.guild().id, channelId: channel.id, outcome: 'undelivered' });
      return job.id;
    });
    // seedJob's 'undelivered' gave up; make them in doubt instead, five attempts in, the last just now.
    for (const id of seeded)
      world.store.db
        .prepare(
          "UPDATE jobs SET delivery = 'delivering', delivery_via = 'channel', delivery_attempts = 5, delivery_started_ms = ?, " +
            'delivery_error = NULL WHERE id = ?',
        )
        .run(world.store.now(), id);
    try {
      const user = await world.member('fresh');
      const interaction = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
      await interaction.waitForAck();
      await world.discord.waitForRequest((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token && r.files.length > 0, {
        timeout: 30_000,
      });
      await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ delivery: 'interaction' }));
    } finally {
      for (const id of seeded) await world.store.markDelivered(id, 'channel', '1'); // out of the way of the tests after this one
    }
  });
});

describe('cancel', () => {
  /** A member's /animate of a 12 s video, once its status says it is animating. */
  async function animatingLongJob(username: string) {
    const user = await world.member(username);
    const interaction = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('long.mp4', 300, 25) },
    });
    await interaction.waitForAck();
    await vi.waitFor(() => expect(String(interaction.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
    return { user, interaction, job: (await world.store.history(user.id)).items[0]! };
  }

  it('GIVEN a running job THEN its requester’s Cancel stops it promptly, and nothing is posted', async () => {
    const { user, interaction, job } = await animatingLongJob('canceller');
    const click = await world.discord.clickButton({ message: interaction.originalMessage()!, customId: `job:cancel:${job.id}`, user });
    await click.waitForAck();
    await vi.waitFor(async () => expect((await world.store.getJob(job.id))?.state).toBe('cancelled'), { timeout: 15_000 });
    expect(interaction.originalMessage()?.content).toBe('Cancelled: the animation was stopped and nothing was posted.');
    await new Promise((r) => setTimeout(r, 500));
    expect(interaction.followUps()).toHaveLength(0);
  });

  it('GIVEN a progress edit still on its way when Cancel is pressed THEN the message ends cancelled, without the Cancel button coming back', async () => {
    const { user, interaction, job } = await animatingLongJob('racer');
    // The next progress edit is answered 429 (Retry-After 2 s): discord.js sends it again after the click has landed.
    const isEdit = (r: { operationId: string | null; path: string }) =>
      r.operationId === 'update_original_webhook_message' && r.path.includes(interaction.token);
    world.discord.failRequests({ match: isEdit, retryAfter: 2 });
    const limited = await world.discord.waitForRequest((r) => isEdit(r) && r.status === 429, { timeout: 10_000 });
    const click = await world.discord.clickButton({ message: interaction.originalMessage()!, customId: `job:cancel:${job.id}`, user });
    await click.waitForAck();
    expect(interaction.originalMessage()?.content).toBe('Cancelled: the animation was stopped and nothing was posted.');
    // The delayed edit lands (progress and a live Cancel button again), then the cancellation is put back.
    await world.discord.waitForRequest((r) => isEdit(r) && r.seq > limited.seq && r.status === 200 && /^Animating…/.test(String(bodyField(r, 'content'))), {
      timeout: 10_000,
    });
    await vi.waitFor(
      () => {
        expect(interaction.originalMessage()?.content).toBe('Cancelled: the animation was stopped and nothing was posted.');
        expect(interaction.originalMessage()?.components ?? []).toEqual([]);
      },
      { timeout: 10_000 },
    );
    await vi.waitFor(async () => expect((await world.store.getJob(job.id))?.state).toBe('cancelled'), { timeout: 15_000 });
  });

  it('GIVEN someone else crafts a Cancel click THEN it is refused and the job goes on', async () => {
    const owner = await world.member('owner');
    const other = await world.member('other');
    const interaction = await world.discord.slashCommand({ name: 'animate', user: owner, options: { photo: await world.photo(), video: await world.video() } });
    await interaction.waitForAck();
    await vi.waitFor(() => expect(interaction.originalMessage()?.components?.length).toBe(1));
    const job = (await world.store.history(owner.id)).items[0]!;
    const click = await world.discord.clickButton({ message: interaction.originalMessage()!, customId: `job:cancel:${job.id}`, user: other });
    await click.waitForAck();
    const reply = await world.discord.waitForRequest((r) => r.operationId === 'create_interaction_response' && r.params['interaction_id'] === click.id);
    expect(bodyField({ json: bodyField(reply, 'data') }, 'content')).toBe('Only the person who asked for this animation can do that.');
    await vi.waitFor(async () => expect((await world.store.getJob(job.id))?.state).toBe('succeeded'), { timeout: 60_000 });
  });
});

describe('queue position', () => {
  it('GIVEN jobs waiting behind a long one THEN their messages follow their position in the queue', async () => {
    const [a, b, c] = [await world.member('first'), await world.member('second'), await world.member('third')];
    const long = await world.discord.slashCommand({
      name: 'animate',
      user: a,
      options: { photo: await world.photo(), video: await world.video('long.mp4', 375, 25) },
    });
    await long.waitForAck();
    await vi.waitFor(() => expect(String(long.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
    const second = await world.discord.slashCommand({
      name: 'animate',
      user: b,
      options: { photo: await world.photo(), video: await world.video('long.mp4', 375, 25) },
    });
    await second.waitForAck();
    await vi.waitFor(() => expect(second.originalMessage()?.content).toMatch(/next in line/), { timeout: 30_000 });
    const third = await world.discord.slashCommand({ name: 'animate', user: c, options: { photo: await world.photo(), video: await world.video() } });
    await third.waitForAck();
    await vi.waitFor(() => expect(third.originalMessage()?.content).toMatch(/^Your animation is queued: position 2\./), { timeout: 30_000 });
    // When the first job ends and the second (also long) starts, the third moves up while it waits:
    // the next refresh (run here rather than waited for) says so.
    await vi.waitFor(() => expect(String(second.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 60_000, interval: 100 });
    await world.bot!.ctx.queueUpdates.tick();
    expect(third.originalMessage()?.content).toMatch(/^Your animation is next in line\./);
  });
});
