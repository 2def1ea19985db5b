import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { animate as animateCommand } from '../../commands/animate.js';
import { botMessages, DISCLAIMER } from '../../src/bot/messages/bot.js';
import { probe } from '../support/ffprobe.js';
import { BotWorld, bodyField } from '../support/bot-world.js';
import type { FakeInteraction } from '../support/fake-discord/index.js';
import { seedJob } from '../support/seed-jobs.js';

/**
 * /animate end to end: the real bot (discord.js, store, engine worker) against
 * the fake Discord. Every REST call the bot makes is checked against Discord's
 * OpenAPI description.
 */
let world: BotWorld;
beforeAll(async () => {
  world = await BotWorld.create();
  await world.startBot();
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

describe('/animate', () => {
  it('GIVEN a photo and a short video THEN defer, queue position, progress, and a follow-up mp4 carrying the disclaimer and the AI-generated tag', async () => {
    const user = await world.member('alice');
    const photo = await world.photo();
    const video = await world.video('clip.mp4', 20, 10);
    const interaction = await world.discord.slashCommand({ name: 'animate', user, options: { photo, video } });
    const ack = await interaction.waitForAck();
    expect(ack.type).toBe(5); // deferred
    const followUp = await world.discord.waitForRequest(
      (r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token && r.files.length > 0,
      { timeout: 60_000 },
    );
    expect(bodyField(followUp, 'content')).toContain(DISCLAIMER);
    const file = followUp.files[0]!;
    expect(file.filename).toMatch(/\.mp4$/);
    const out = join(world.mediaDir, 'delivered.mp4');
    writeFileSync(out, file.data);
    const p = probe(out);
    expect(p.video).toMatchObject({ codec: 'h264', frames: 20, rate: '10/1' });
    expect(p.audio?.codec).toBe('aac');
    expect(p.formatTags['ai_generated']).toBe('true');

    const edits = world.discord.requests.filter((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === interaction.token);
    const texts = edits.map((r) => String(bodyField(r, 'content') ?? ''));
    expect(texts.some((t) => /queued|next in line/.test(t))).toBe(true);
    expect(texts.some((t) => /^Animating…/.test(t))).toBe(true);
    // Only the demo model is installed: the reply says faces need a converted model.
    expect(texts.find((t) => /queued|next in line/.test(t))).toContain('faces need a converted FOMM model');
    expect(texts.some((t) => /^Done/.test(t))).toBe(true);
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ state: 'succeeded', delivery: 'interaction' }));
  });
});

describe('/animate framing', () => {
  /** The clip delivered for an interaction: its message text and the file's picture size. */
  async function delivered(interaction: FakeInteraction): Promise<{ text: string; width: number; height: number }> {
    const followUp = await world.discord.waitForRequest(
      (r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token && r.files.length > 0,
      { timeout: 120_000 },
    );
    const out = join(world.mediaDir, `${interaction.id}.mp4`);
    writeFileSync(out, followUp.files[0]!.data);
    const { width, height } = probe(out).video!;
    return { text: String(bodyField(followUp, 'content')), width, height };
  }

  it(
    'GIVEN framing face and a photo with a face, driven by a video without one THEN the clip is the photo pasted back, and one ' +
      'line says the video was centred',
    async () => {
      const user = await world.member('framed');
      const photo = world.discord.addAttachment({
        filename: 'astronaut.jpg',
        contentType: 'image/jpeg',
        data: readFileSync(join(import.meta.dirname, '..', 'fixtures', 'photos', 'astronaut.jpg')),
      });
      const interaction = await world.discord.slashCommand({
        name: 'animate',
        user,
        options: { photo, video: await world.video('shape.mp4', 10, 10), framing: 'face' },
      });
      const clip = await delivered(interaction);
      expect(clip.text).toBe(`No clear face was found in the video, so it was centred instead.\n${DISCLAIMER}`);
      // The astronaut photo is 512×512: the clip has the photo's own size, not the demo model's 64² square.
      expect([clip.width, clip.height]).toEqual([512, 512]);
      const job = (await world.store.history(user.id)).items[0]!;
      expect(job.options['framing']).toBe('face');
      expect(job.output?.notes).toEqual([{ code: 'no-face-in-video' }]);
    },
  );

  it(
    'GIVEN no framing option with the demo model (auto: centred, as it was trained) THEN the clip is the model square and no ' + 'framing line is added',
    async () => {
      const user = await world.member('unframed');
      const interaction = await world.discord.slashCommand({
        name: 'animate',
        user,
        options: { photo: await world.photo(), video: await world.video('plain.mp4', 10, 10) },
      });
      const clip = await delivered(interaction);
      expect(clip.text).toBe(DISCLAIMER);
      expect(clip.width).toBe(clip.height);
      expect((await world.store.history(user.id)).items[0]?.output?.notes).toEqual([]);
    },
  );
});

/**
 * Runs a command that must be refused; returns the sentence, after checking only the member could read it: a
 * private reply (type 4, before any defer), the private deferred reply edited, or — where results are public —
 * a private follow-up with the channel's placeholder removed.
 */
async function refused(run: () => Promise<FakeInteraction>): Promise<string> {
  const interaction = await run();
  const ack = await interaction.waitForAck();
  if (ack.type === 4) {
    const reply = interaction.originalMessage()!;
    expect((reply.flags ?? 0) & 64).toBe(64);
    return reply.content;
  }
  let text = '';
  await vi.waitFor(
    () => {
      const original = interaction.originalMessage();
      const followUp = interaction.followUps()[0];
      if (followUp) {
        // Public results: a follow-up of its own (the fake, like Discord, would have turned a first follow-up to a
        // reply still loading into that public reply), only the member's, and the placeholder gone.
        expect((followUp.flags ?? 0) & 64).toBe(64);
        expect(original).toBeUndefined();
        text = followUp.content;
      } else {
        expect(original).toBeDefined();
        expect((original!.flags ?? 0) & 128).toBe(0); // no longer "thinking…"
        expect((original!.flags ?? 0) & 64).toBe(64);
        text = original!.content;
      }
    },
    { timeout: 20_000 },
  );
  return text;
}

describe('/animate refusals (one sentence each, nothing queued)', () => {
  it('GIVEN a PDF as the photo THEN it says the photo must be an image', async () => {
    const user = await world.member();
    const pdf = world.discord.addAttachment({ filename: 'cv.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4\n') });
    const text = await refused(async () => world.discord.slashCommand({ name: 'animate', user, options: { photo: pdf, video: await world.video() } }));
    expect(text).toBe('The photo must be an image (JPEG, PNG, WebP, BMP or GIF), not a PDF.');
    expect((await world.store.history(user.id)).items).toHaveLength(0);
  });

  it('GIVEN a file larger than the server allows THEN it says the size and the limit, without downloading', async () => {
    const user = await world.member();
    const guild = world.discord.guild().id;
    await world.store.updateGuildSettings(guild, { maxUploadBytes: 1024 * 1024 }, 'moderator');
    try {
      const big = world.discord.addAttachment({ filename: 'big.mp4', contentType: 'video/mp4', data: Buffer.alloc(10), size: 3 * 1024 * 1024 });
      const before = world.discord.cdnRequests.length;
      const text = await refused(async () => world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: big } }));
      expect(text).toBe('That file is 3 MB; this server accepts at most 1 MB.');
      expect(world.discord.cdnRequests.length).toBe(before);
    } finally {
      await world.store.resetGuildSettings(guild, 'moderator');
    }
  });

  it('GIVEN a video longer than the server allows THEN it says how long it is and the limit', async () => {
    const user = await world.member();
    const guild = world.discord.guild().id;
    await world.store.updateGuildSettings(guild, { maxDrivingSeconds: 1 }, 'moderator');
    try {
      const text = await refused(async () =>
        world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video('long.mp4', 30, 10) } }),
      );
      expect(text).toBe('The driving video is 3 s long; this server allows at most 1 s.');
      expect((await world.store.history(user.id)).items).toHaveLength(0);
    } finally {
      await world.store.resetGuildSettings(guild, 'moderator');
    }
  });

  it('GIVEN a disabled server THEN it says so before any download', async () => {
    const user = await world.member();
    const guild = world.discord.guild().id;
    await world.store.updateGuildSettings(guild, { enabled: false }, 'moderator');
    try {
      const before = world.discord.cdnRequests.length;
      const text = await refused(async () =>
        world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } }),
      );
      expect(text).toBe('Marionette is turned off in this server by its moderators.');
      expect(world.discord.cdnRequests.length).toBe(before);
    } finally {
      await world.store.resetGuildSettings(guild, 'moderator');
    }
  });

  it('GIVEN the hourly limit is reached THEN it names the limit and when to try again', async () => {
    const user = await world.member();
    const guild = world.discord.guild().id;
    await world.store.updateGuildSettings(guild, { perUserPerHour: 1 }, 'moderator');
    try {
      const first = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
      await first.waitForAck();
      await world.discord.waitForRequest((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === first.token, {
        timeout: 20_000,
      });
      const text = await refused(async () =>
        world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } }),
      );
      expect(text).toMatch(/^You've reached this server's limit of 1 animation per hour\. You can try again <t:\d+:R>\.$/);
    } finally {
      await world.store.resetGuildSettings(guild, 'moderator');
    }
  });

  it('GIVEN a second command while the first still downloads THEN the second is refused at once, and the first is queued', async () => {
    const user = await world.member();
    const slow = await world.video();
    slow.fault = { kind: 'drip', chunkBytes: 4000, intervalMs: 100 };
    const first = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: slow } });
    const second = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    const text = await refused(async () => second);
    expect(text).toBe("You already have 1 animation in progress, the most allowed here. Try again when it's done.");
    await first.waitForAck();
    await vi.waitFor(() => expect(String(first.originalMessage()?.content ?? '')).toMatch(/queued|next in line|^Animating…|^Done/), { timeout: 30_000 });
  });

  it('GIVEN a file that is not really an image THEN the probe refuses it with one sentence', async () => {
    const user = await world.member();
    const fake = world.discord.addAttachment({ filename: 'photo.png', contentType: 'image/png', data: Buffer.from('not a png at all, just text') });
    const text = await refused(async () => world.discord.slashCommand({ name: 'animate', user, options: { photo: fake, video: await world.video() } }));
    expect(text).toBe('The photo is not an image Marionette can read; use JPEG, PNG, WebP, BMP or GIF.');
  });
});

describe('free disk space', () => {
  it('GIVEN less free space than the configured minimum THEN new commands are refused before downloading', async () => {
    const config = world.bot!.ctx.config as { minFreeDiskMb: number };
    const saved = config.minFreeDiskMb;
    config.minFreeDiskMb = 1_000_000_000; // more than any disk here has
    try {
      const before = world.discord.cdnRequests.length;
      const cmd = await world.discord.slashCommand({
        name: 'animate',
        user: await world.member(),
        options: { photo: await world.photo(), video: await world.video() },
      });
      await cmd.waitForAck();
      await vi.waitFor(() =>
        expect(cmd.originalMessage()?.content).toBe("Marionette is short of disk space right now, so it can't take new animations. Please try again later."),
      );
      expect(world.discord.cdnRequests.length).toBe(before);
    } finally {
      config.minFreeDiskMb = saved;
    }
  });
});

describe('consent', () => {
  it('GIVEN a first-time member THEN the terms are shown with Accept and Decline; Accept continues the command, and it is asked once', async () => {
    const user = world.discord.addUser({ username: 'newcomer' });
    const first = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await first.waitForAck();
    const prompt = await world.discord.waitForRequest((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === first.token);
    expect(String(bodyField(prompt, 'content'))).toMatch(/Only animate people who agreed to it/);
    await vi.waitFor(() => expect(first.originalMessage()?.components?.length).toBe(1));
    const click = await world.discord.clickButton({ message: first.originalMessage()!, customId: `consent:accept:${first.id}:${user.id}`, user });
    await click.waitForAck();
    await world.discord.waitForRequest((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === first.token && r.files.length > 0, {
      timeout: 60_000,
    });
    expect((await world.store.getUser(user.id))?.consent).toBe('accepted');

    const second = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await second.waitForAck();
    const reply = await world.discord.waitForRequest((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === second.token);
    expect(String(bodyField(reply, 'content'))).toMatch(/queued|next in line/);
  });

  it('GIVEN someone else clicks Accept on a prompt THEN it is refused and nothing is recorded for them', async () => {
    const user = world.discord.addUser({ username: 'asker' });
    const other = world.discord.addUser({ username: 'meddler' });
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(cmd.originalMessage()?.components?.length).toBe(1));
    const click = await world.discord.clickButton({ message: cmd.originalMessage()!, customId: `consent:accept:${cmd.id}:${user.id}`, user: other });
    await click.waitForAck();
    const reply = await world.discord.waitForRequest((r) => r.operationId === 'create_interaction_response' && r.params['interaction_id'] === click.id);
    expect(bodyField({ json: bodyField(reply, 'data') }, 'content')).toBe('Only the person who asked for this animation can do that.');
    expect((await world.store.getUser(other.id))?.consent ?? null).toBeNull();
  });

  it('GIVEN a member at their limit who accepts the terms THEN the limit is checked before anything is downloaded', async () => {
    const guildId = world.discord.guild().id;
    const user = world.discord.addUser({ username: 'limited-newcomer' });
    await world.store.updateGuildSettings(guildId, { perUserPerHour: 1 }, 'moderator');
    try {
      await seedJob(world.store, { userId: user.id, guildId, channelId: world.discord.guild().channels[0]!.id });
      await world.store.setConsent(user.id, 'declined'); // asked again: the terms come first, the limits after
      const photo = await world.photo();
      const video = await world.video();
      const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo, video } });
      await cmd.waitForAck();
      await vi.waitFor(() => expect(cmd.originalMessage()?.components?.length).toBe(1));
      const click = await world.discord.clickButton({ message: cmd.originalMessage()!, customId: `consent:accept:${cmd.id}:${user.id}`, user });
      await click.waitForAck();
      await vi.waitFor(() =>
        expect(cmd.originalMessage()?.content).toMatch(/^Thanks, your answer is recorded\. You've reached this server's limit of 1 animation per hour\./),
      );
      expect((await world.store.getUser(user.id))?.consent).toBe('accepted');
      expect(world.discord.cdnRequests.filter((r) => r.attachmentId === photo.id || r.attachmentId === video.id)).toEqual([]);
    } finally {
      await world.store.updateGuildSettings(guildId, { perUserPerHour: 5 }, 'moderator');
    }
  });

  describe('in a server whose results are public', async () => {
    const guildId = () => world.discord.guild().id;
    beforeAll(async () => await world.store.updateGuildSettings(guildId(), { visibility: 'public' }, 'moderator'));
    afterAll(async () => await world.store.updateGuildSettings(guildId(), { visibility: 'requester' }, 'moderator'));

    /** Runs /animate as a newcomer; returns the command and the private prompt (a follow-up only they see). */
    async function prompted(username: string) {
      const user = world.discord.addUser({ username });
      const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
      await cmd.waitForAck();
      await vi.waitFor(() => expect(cmd.followUps()).toHaveLength(1));
      return { user, cmd, prompt: cmd.followUps()[0]! };
    }

    it('GIVEN a member over their limit THEN the refusal is a private reply, never a public one', async () => {
      const user = await world.member();
      await world.store.updateGuildSettings(guildId(), { perUserPerHour: 1 }, 'moderator');
      try {
        await seedJob(world.store, { userId: user.id, guildId: guildId(), channelId: world.discord.guild().channels[0]!.id });
        const text = await refused(async () =>
          world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } }),
        );
        expect(text).toMatch(/^You've reached this server's limit of 1 animation per hour\./);
      } finally {
        await world.store.updateGuildSettings(guildId(), { perUserPerHour: 5 }, 'moderator');
      }
    });

    it("GIVEN an upload refused after the public defer THEN the member is told privately and the channel's placeholder goes away", async () => {
      const user = await world.member();
      const pdf = world.discord.addAttachment({ filename: 'cv.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4\n') });
      const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: pdf, video: await world.video() } });
      expect((await cmd.waitForAck()).type).toBe(5);
      const text = await refused(async () => cmd);
      expect(text).toBe('The photo must be an image (JPEG, PNG, WebP, BMP or GIF), not a PDF.');
    });

    it(
      'GIVEN a first-time member THEN the terms go to them privately, the channel sees only that the command waits, and Decline ' + 'removes that line',
      async () => {
        const { user, cmd, prompt } = await prompted('public-newcomer');
        expect(prompt.content).toMatch(/Only animate people who agreed to it/);
        expect((prompt.flags ?? 0) & 64).toBe(64); // ephemeral
        expect(prompt.components).toHaveLength(1);
        const original = cmd.originalMessage()!;
        expect((original.flags ?? 0) & 64).toBe(0);
        expect(original.content).toBe('Waiting for the member who asked to accept the terms (shown only to them).');
        expect(original.components ?? []).toEqual([]);
        // Kept for a restart to tidy (with the token a new process needs to remove the line), until answered.
        const waits = () => world.store.db.prepare('SELECT interaction_id FROM consent_waits').pluck().all();
        expect(waits()).toEqual([cmd.id]);

        const decline = await world.discord.clickButton({ message: prompt, customId: `consent:decline:${cmd.id}:${user.id}`, user });
        await decline.waitForAck();
        await vi.waitFor(() => expect(cmd.originalMessage()).toBeUndefined());
        expect(waits()).toEqual([]);
        expect((await world.store.getUser(user.id))?.consent).toBe('declined');
      },
    );

    it(
      "GIVEN the bot restarted while a prompt waited THEN the channel's waiting line is removed as it stops, a stranger's Accept " +
        "is still refused, and the member's own is recorded",
      async () => {
        const { user, cmd, prompt } = await prompted('public-restart');
        const stranger = world.discord.addUser({ username: 'public-stranger' });
        await world.bot?.stop();
        // The channel's "waiting" line goes with the command: stopping removed it.
        expect(cmd.originalMessage()).toBeUndefined();
        await world.startBot(); // the waiting command is forgotten; the prompt's buttons remain
        expect(world.discord.message(prompt.id)).toBeDefined();
        const customId = `consent:accept:${cmd.id}:${user.id}`;
        const meddling = await world.discord.clickButton({ message: world.discord.message(prompt.id)!, customId, user: stranger });
        await meddling.waitForAck();
        const refusal = await world.discord.waitForRequest(
          (r) => r.operationId === 'create_interaction_response' && r.params['interaction_id'] === meddling.id,
        );
        expect(bodyField({ json: bodyField(refusal, 'data') }, 'content')).toBe('Only the person who asked for this animation can do that.');
        expect((await world.store.getUser(stranger.id))?.consent ?? null).toBeNull();

        const own = await world.discord.clickButton({ message: world.discord.message(prompt.id)!, customId, user });
        await own.waitForAck();
        await vi.waitFor(() => expect(world.discord.message(prompt.id)?.content).toBe('Thanks. Run /animate again to make your animation.'));
        expect((await world.store.getUser(user.id))?.consent).toBe('accepted');
      },
    );

    it(
      'GIVEN Discord failed to remove the waiting line as the bot stopped (or it crashed) THEN the next start removes it, with the token ' +
        'kept in the store',
      async () => {
        const { cmd } = await prompted('public-crash');
        world.discord.failRequests({ match: 'delete_original_webhook_message', status: 500, times: 4 });
        await world.bot?.stop();
        expect(cmd.originalMessage()?.content).toBe(botMessages.consentPendingPublic);
        expect(world.discord.requests.filter((r) => r.operationId === 'delete_original_webhook_message' && r.status === 500)).toHaveLength(4);
        await world.startBot();
        await vi.waitFor(() => expect(cmd.originalMessage()).toBeUndefined());
        expect(world.store.db.prepare('SELECT COUNT(*) FROM consent_waits').pluck().get()).toBe(0);
      },
    );

    it(
      'GIVEN a command arriving while the next start is still removing waiting lines THEN it goes on: its intake is not taken ' + 'for an interrupted one',
      async () => {
        const { cmd: waiting } = await prompted('public-tidy');
        const user = await world.member('arrives-at-start');
        const options = { photo: await world.photo(), video: await world.video() };
        world.discord.failRequests({ match: 'delete_original_webhook_message', status: 500, times: 4 });
        await world.bot?.stop();
        // The next start's delete waits out a 2-second rate limit: the command comes in meanwhile.
        world.discord.failRequests({ match: 'delete_original_webhook_message', status: 429, retryAfter: 2, times: 1 });
        const identified = world.discord.identifies.length;
        const starting = world.startBot();
        await world.discord.waitForReady({ identifies: identified + 1 });
        const cmd = await world.discord.slashCommand({ name: 'animate', user, options });
        await starting;
        await vi.waitFor(async () => expect((await world.store.history(user.id)).items).toHaveLength(1), { timeout: 30_000 });
        expect(cmd.originalMessage()?.content).not.toBe(botMessages.interrupted);
        await vi.waitFor(() => expect(waiting.originalMessage()).toBeUndefined(), { timeout: 10_000 });
      },
    );
  });
});

describe('a command this version does not have (registered by an older one)', () => {
  it('GIVEN it is used THEN the member is told the command list is out of date, not that a button expired', async () => {
    const cmd = await world.discord.slashCommand({ name: 'animate-legacy', user: await world.member() });
    await cmd.waitForAck();
    const reply = await world.discord.waitForRequest((r) => r.operationId === 'create_interaction_response' && r.params['interaction_id'] === cmd.id);
    expect(bodyField({ json: bodyField(reply, 'data') }, 'content')).toMatch(
      /^This command is not part of this version of Marionette; .*npm run deploy-commands\)\.$/,
    );
  });
});

describe('model choice', () => {
  it('GIVEN a member typing in the model option THEN the installed models are offered by manifest name', async () => {
    const typing = await world.discord.autocomplete({ name: 'animate', focused: 'model', value: 'def' });
    await typing.waitForAck();
    expect(typing.choices).toEqual([{ name: expect.stringMatching(/^default: /), value: 'default' }]);
    const none = await world.discord.autocomplete({ name: 'animate', focused: 'model', value: 'zzz' });
    await none.waitForAck();
    expect(none.choices).toEqual([]);
  });

  it('GIVEN a model name that is not installed THEN the refusal lists the installed ones', async () => {
    const user = await world.member();
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video(), model: 'vox' } });
    await cmd.waitForAck();
    const edit = await world.discord.waitForRequest((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === cmd.token, {
      timeout: 20_000,
    });
    expect(bodyField(edit, 'content')).toBe('There is no model called "vox" here; choose one of: default.');
    // Replies quote what members typed: none of them may ping (client-wide allowed mentions).
    expect(bodyField(edit, 'allowed_mentions')).toEqual({ parse: [] });
  });

  it("GIVEN the model option THEN Discord takes at most a model name's 64 characters, and the refusal fits a message whatever it quotes", () => {
    const model = animateCommand.data.toJSON().options?.find((o) => o.name === 'model') as { max_length?: number } | undefined;
    expect(model?.max_length).toBe(64);
    const many = Array.from({ length: 200 }, (_, i) => `model-${i}-${'x'.repeat(50)}`);
    const text = botMessages.unknownModel('y'.repeat(3000), many);
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text).toMatch(/^There is no model called "y{79}…" here; choose one of: model-0-x+, .*…\.$/);
  });

  it('GIVEN markdown in what a member typed or uploaded THEN a reply quotes it as text, not as a link or formatting', () => {
    expect(botMessages.unknownModel('[Free Nitro](https://x.test)', ['default'])).toBe(
      'There is no model called "\\[Free Nitro](https://x.test)" here; choose one of: default.',
    );
    expect(botMessages.photoNotImage('application/**x**')).toBe(
      'The photo must be an image (JPEG, PNG, WebP, BMP or GIF), not an application/\\*\\*x\\*\\* file.',
    );
    expect(botMessages.videoNotVideo(`application/${'z'.repeat(500)}`).length).toBeLessThan(140);
  });

  it('GIVEN no model installed any more THEN the refusal says so instead of an empty list', () => {
    expect(botMessages.unknownModel('default', [])).toBe("No animation model is installed on this bot right now; please tell the bot's owner.");
  });
});
