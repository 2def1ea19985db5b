import { existsSync } from 'node:fs';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { settings as settingsCommand } from '../../commands/settings.js';
import { BotWorld, bodyField } from '../support/bot-world.js';
import type { FakeInteraction, FakeUser, OptionValue } from '../support/fake-discord/index.js';
import { seedJob } from '../support/seed-jobs.js';
import { inOrder } from '../support/in-order.js';

/**
 * /settings through the fake Discord with the real bot: moderators only (also
 * when the command reaches the bot from someone else), values validated with
 * one sentence each, every change in the audit log, and each change in
 * effect on the next /animate.
 */
let world: BotWorld;
const MANAGE_GUILD = PermissionFlagsBits.ManageGuild;
const EPHEMERAL = 1 << 6;

beforeAll(async () => {
  world = await BotWorld.create({
    discord: { guilds: [{ name: 'Puppets', channels: [{ name: 'general' }, { name: 'art' }] }, { name: 'Elsewhere' }] },
  });
  await world.startBot();
});
afterAll(() => world.close());
afterEach(async () => {
  world.discord.assertNoViolations();
  // Each test starts from the defaults (this writes "reset" entries by 'test' into the audit log).
  const g = guild();
  await world.store.resetGuildSettings(g.id, 'test');
  for (const c of g.channels) await world.store.setChannelRule(g.id, c.id, null, 'test');
});

const guild = () => world.discord.guilds[0]!;
const channel = (name: string) => guild().channels.find((c) => c.name === name)!;

function moderator(name = 'mod'): FakeUser {
  return world.discord.addUser({ username: name });
}

/** Runs a /settings subcommand and returns the interaction once answered (deferred ones once edited). */
async function settings(
  user: FakeUser,
  subcommand: string,
  options: Record<string, OptionValue> = {},
  memberPermissions: bigint = MANAGE_GUILD,
): Promise<FakeInteraction> {
  const cmd = await world.discord.slashCommand({ name: 'settings', subcommand, options, user, memberPermissions });
  const ack = await cmd.waitForAck();
  if (ack.type === 5) await vi.waitFor(() => expect(cmd.originalMessage()?.content).toBeTruthy(), { timeout: 20_000 });
  return cmd;
}

const text = (cmd: FakeInteraction) => cmd.originalMessage()!.content;
const latestAudit = async () => (await world.store.auditLog(guild().id, 1))[0]!;

/** The first thing the bot says to an /animate: a refusal before any defer (a private reply), else the deferred reply's first edit (consent prompt, queued). */
async function animate(user: FakeUser, channelId?: string): Promise<{ cmd: FakeInteraction; says: string }> {
  const cmd = await world.discord.slashCommand({
    name: 'animate',
    user,
    ...(channelId ? { channelId } : {}),
    options: { photo: await world.photo(), video: await world.video() },
  });
  const ack = await cmd.waitForAck();
  if (ack.type === 4) {
    const reply = cmd.originalMessage()!;
    expect((reply.flags ?? 0) & 64).toBe(64); // a refusal only the member sees
    return { cmd, says: reply.content };
  }
  const edit = await world.discord.waitForRequest((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === cmd.token, {
    timeout: 20_000,
  });
  return { cmd, says: String(bodyField(edit, 'content')) };
}

const QUEUED = /queued|next in line/;

describe('who may use /settings', () => {
  it('GIVEN the command definition THEN it is for Manage Server by default and only in servers', () => {
    const json = settingsCommand.data.toJSON();
    expect(json.default_member_permissions).toBe(String(MANAGE_GUILD));
    expect(json.contexts).toEqual([0]);
  });

  it('GIVEN /settings channels THEN every channel type a command can run in can be chosen, threads and stage channels included', () => {
    const channels = settingsCommand.data.toJSON().options?.find((o) => o.name === 'channels') as
      { options?: Array<{ name: string; channel_types?: number[] }> } | undefined;
    const types = channels?.options?.find((o) => o.name === 'channel')?.channel_types ?? [];
    // text 0, voice 2, announcement 5, announcement/public/private thread 10/11/12, stage 13, forum 15
    expect([...types].sort((a, b) => a - b)).toEqual([0, 2, 5, 10, 11, 12, 13, 15]);
  });

  it(
    'GIVEN a member without Manage Server whose /settings reaches the bot anyway THEN every subcommand is refused, and nothing ' + 'is changed or audited',
    async () => {
      const member = await world.member('not-a-mod');
      const before = (await world.store.auditLog(guild().id, 100)).length;
      const attempts: Array<[string, Record<string, OptionValue>]> = [
        ['view', {}],
        ['limits', { per_hour: 1 }],
        ['channels', { channel: channel('art'), rule: 'block' }],
        ['enable', {}],
        ['disable', {}],
        ['visibility', { results: 'public' }],
        ['retention', { days: 30 }],
        ['require-consent', {}],
        ['audit', {}],
        ['purge', { user: member }],
      ];
      for (const [sub, options] of attempts) {
        const cmd = await settings(member, sub, options, PermissionFlagsBits.SendMessages | PermissionFlagsBits.UseApplicationCommands);
        expect(text(cmd)).toBe('Only members with the Manage Server permission can use /settings.');
        expect(cmd.originalMessage()!.flags! & EPHEMERAL).toBe(EPHEMERAL);
        expect(cmd.originalMessage()!.embeds).toEqual([]);
      }
      expect(await world.store.auditLog(guild().id, 100)).toHaveLength(before);
      expect((await world.store.guildSettings(guild().id)).customized).toEqual([]);
      expect((await world.store.guildSettings(guild().id)).consentEpochMs).toBeNull();
    },
  );

  it('GIVEN an Administrator THEN /settings works (Administrator implies Manage Server)', async () => {
    const cmd = await settings(moderator('admin'), 'view', {}, PermissionFlagsBits.Administrator);
    expect(cmd.originalMessage()!.embeds[0]!.title).toBe('Marionette settings for this server');
  });
});

describe('changing settings', () => {
  it('GIVEN /settings view THEN the current values, with the defaults unmarked', async () => {
    const cmd = await settings(moderator(), 'view');
    const embed = cmd.originalMessage()!.embeds[0]!;
    expect(embed.description).toBe('All settings are the defaults.');
    expect(embed.fields!.map((f) => [f.name, f.value])).toEqual([
      ['Marionette', 'on'],
      ['Results', 'only the requester'],
      ['Retention', 'files deleted 7 days after an animation finishes'],
      ['Per member', '5 animations per hour · 20 per day · 1 at once'],
      ['Whole server', '200 animations per day'],
      ['Inputs', 'driving video up to 15 s · files up to 25 MB'],
      ['Channels', 'every channel'],
      ['Terms', 'each member accepts once'],
    ]);
  });

  it('GIVEN limits per_hour:1 THEN it is saved and audited, and a member’s second /animate is refused naming that limit and when to try again', async () => {
    const mod = moderator();
    const cmd = await settings(mod, 'limits', { per_hour: 1, concurrent: 5 });
    expect(text(cmd)).toBe('Saved (recorded in the audit log):\n• Per member per hour: 5 → 1\n• Per member at once: 1 → 5');
    expect(await latestAudit()).toMatchObject({
      actorId: mod.id,
      action: 'settings.update',
      detail: { changes: { perUserPerHour: { from: 5, to: 1 }, perUserConcurrent: { from: 1, to: 5 } } },
    });

    const member = await world.member('eager');
    expect((await animate(member)).says).toMatch(QUEUED);
    expect((await animate(member)).says).toMatch(/^You've reached this server's limit of 1 animation per hour\. You can try again <t:\d+:R>\.$/);
    await vi.waitFor(async () => expect((await world.store.history(member.id)).items[0]?.delivery).toBe('interaction'), { timeout: 60_000 });
  });

  it('GIVEN invalid values THEN each problem is one sentence, and nothing is changed or audited', async () => {
    const mod = moderator();
    const before = (await world.store.auditLog(guild().id, 100)).length;
    expect(text(await settings(mod, 'limits', { per_hour: -1, server_per_day: 0 }))).toBe(
      "Nothing was changed:\n• The hourly limit per member must be a whole number from 1 to 100.\n• The server's daily limit must " +
        'be a whole number from 1 to 10000.',
    );
    expect(text(await settings(mod, 'retention', { days: 365 }))).toBe('Nothing was changed:\n• Retention (days) must be a whole number from 1 to 90.');
    expect(text(await settings(mod, 'limits', { max_upload_mb: 500, max_video_seconds: 61 }))).toBe(
      'Nothing was changed:\n• The largest upload must be a whole number of megabytes from 1 to 100.\n• The longest driving video (seconds) ' +
        'must be a whole number from 1 to 60.',
    );
    expect(text(await settings(mod, 'limits', { per_day: 2 }))).toBe(
      "Nothing was changed:\n• The daily limit per member (2) can't be lower than the hourly limit (5).",
    );
    expect(text(await settings(mod, 'limits'))).toMatch(/^Give at least one limit to change/);
    expect(text(await settings(mod, 'visibility', { results: 'everyone' }))).toBe(
      'Nothing was changed:\n• Result visibility must be one of: public, requester.',
    );
    expect(await world.store.auditLog(guild().id, 100)).toHaveLength(before);
    expect((await world.store.guildSettings(guild().id)).customized).toEqual([]);
  });

  it('GIVEN max_upload_mb and max_video_seconds THEN they are saved in bytes and seconds and shown in MB and s', async () => {
    const cmd = await settings(moderator(), 'limits', { max_upload_mb: 8, max_video_seconds: 5 });
    expect(text(cmd)).toBe('Saved (recorded in the audit log):\n• Longest driving video: 15 s → 5 s\n• Largest upload: 25 MB → 8 MB');
    expect(await world.store.guildSettings(guild().id)).toMatchObject({ maxUploadBytes: 8 * 1024 * 1024, maxDrivingSeconds: 5 });
  });

  it('GIVEN disable THEN the next /animate is refused; enable THEN it works again; both audited', async () => {
    const mod = moderator();
    const member = await world.member('blocked-by-switch');
    expect(text(await settings(mod, 'disable'))).toMatch(/^Saved \(recorded in the audit log\):\n• Marionette: on → off\nMembers can’t use \/animate/);
    expect(await latestAudit()).toMatchObject({ actorId: mod.id, detail: { changes: { enabled: { from: true, to: false } } } });
    expect((await animate(member)).says).toBe('Marionette is turned off in this server by its moderators.');
    expect(text(await settings(mod, 'disable'))).toBe('Nothing changed: the settings already had those values.');
    await settings(mod, 'enable');
    expect(await latestAudit()).toMatchObject({ actorId: mod.id, detail: { changes: { enabled: { from: false, to: true } } } });
    expect((await animate(member)).says).toMatch(QUEUED);
    await vi.waitFor(async () => expect((await world.store.history(member.id)).items[0]?.delivery).toBe('interaction'), { timeout: 60_000 });
  });

  it('GIVEN a blocked channel THEN /animate there is refused; GIVEN an allowed channel THEN only it works; each rule audited', async () => {
    const mod = moderator();
    const member = await world.member('wanderer');
    const general = channel('general');
    const art = channel('art');
    expect(text(await settings(mod, 'channels', { channel: general, rule: 'block' }))).toBe(
      `Marionette can no longer be used in <#${general.id}> (recorded in the audit log).`,
    );
    expect(await latestAudit()).toMatchObject({ actorId: mod.id, action: 'channel.rule', targetId: general.id, detail: { to: 'block' } });
    expect((await animate(member, general.id)).says).toBe("Marionette can't be used in this channel. Ask a moderator which channels are allowed.");

    await settings(mod, 'channels', { channel: general, rule: 'clear' });
    expect(await latestAudit()).toMatchObject({ action: 'channel.rule', targetId: general.id, detail: { from: 'block', to: null } });
    expect(text(await settings(mod, 'channels', { channel: art, rule: 'allow' }))).toMatch(
      new RegExp(`^<#${art.id}> is allowed .*only in the 1 allowed channel and their threads\\.$`),
    );
    expect((await animate(member, general.id)).says).toBe("Marionette can't be used in this channel. Ask a moderator which channels are allowed.");
    expect(text(await settings(mod, 'channels', { channel: art, rule: 'allow' }))).toBe(`Nothing changed: <#${art.id}> already had that rule.`);
  });

  it('GIVEN visibility public THEN the next /animate answers in the channel for everyone; audited', async () => {
    const mod = moderator();
    expect(text(await settings(mod, 'visibility', { results: 'public' }))).toBe(
      'Saved (recorded in the audit log):\n• Results: only the requester → public in the channel',
    );
    expect(await latestAudit()).toMatchObject({ actorId: mod.id, detail: { changes: { visibility: { from: 'requester', to: 'public' } } } });
    const member = await world.member('showoff');
    const { cmd } = await animate(member);
    expect(cmd.originalMessage()!.flags! & EPHEMERAL).toBe(0);
    await vi.waitFor(async () => expect((await world.store.history(member.id)).items[0]).toMatchObject({ visibility: 'public', delivery: 'interaction' }), {
      timeout: 60_000,
    });
  });

  it('GIVEN retention days:30 THEN saved, audited and shown by view', async () => {
    const mod = moderator();
    expect(text(await settings(mod, 'retention', { days: 30 }))).toBe('Saved (recorded in the audit log):\n• Retention: 7 days → 30 days');
    expect(await latestAudit()).toMatchObject({ actorId: mod.id, detail: { changes: { retentionDays: { from: 7, to: 30 } } } });
    const view = (await settings(mod, 'view')).originalMessage()!.embeds[0]!;
    expect(view.fields!.find((f) => f.name.startsWith('Retention'))).toEqual({
      name: 'Retention *',
      value: 'files deleted 30 days after an animation finishes',
      inline: true,
    });
    expect(view.description).toMatch(new RegExp(`^Last changed <t:\\d+:R> by <@${mod.id}>\\.`));
  });
});

describe('consent again', () => {
  it('GIVEN require-consent THEN a member who accepted before is asked again on the next /animate, and Accept lets it go on; audited', async () => {
    const member = await world.member('returning');
    await new Promise((r) => setTimeout(r, 5)); // the acceptance is older than the reset
    const mod = moderator();
    expect(text(await settings(mod, 'require-consent'))).toMatch(/^Done \(recorded in the audit log\): every member must accept Marionette's terms again/);
    expect(await latestAudit()).toMatchObject({ actorId: mod.id, action: 'consent.reset' });

    const { cmd, says } = await animate(member);
    expect(says).toMatch(
      /^This server's moderators asked everyone to accept Marionette's terms again before the next animation\.\n\n\*\*Before your first animation/,
    );
    await vi.waitFor(() => expect(cmd.originalMessage()?.components?.length).toBe(1));
    const accept = await world.discord.clickButton({ message: cmd.originalMessage()!, customId: `consent:accept:${cmd.id}:${member.id}`, user: member });
    await accept.waitForAck();
    await world.discord.waitForRequest(
      (r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === cmd.token && QUEUED.test(String(bodyField(r, 'content'))),
      { timeout: 20_000 },
    );
    expect(await world.store.consentStatus(member.id, guild().id)).toBe('accepted');
    await vi.waitFor(async () => expect((await world.store.history(member.id)).items[0]?.delivery).toBe('interaction'), { timeout: 60_000 });
  });
});

describe('moderation', () => {
  it(
    'GIVEN /settings audit THEN the latest changes (who, when) and the latest generations (who, when, input hashes), and no ' + 'media, paths or tokens',
    async () => {
      const mod = moderator();
      await settings(mod, 'retention', { days: 30 });
      const member = await world.member('reported');
      const job = await seedJob(world.store, { userId: member.id, guildId: guild().id, channelId: channel('general').id });
      const message = (await settings(mod, 'audit')).originalMessage()!;
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      const [changes, jobs] = message.embeds;
      expect(changes!.description!.split('\n')[0]).toMatch(new RegExp(`^<t:\\d+:f> <@${mod.id}>: set Retention: 7 days → 30 days$`));
      expect(jobs!.description!.split('\n')[0]).toBe(
        `<t:${Math.floor(job.createdMs / 1000)}:f> <@${member.id}> · succeeded · default · photo ` +
          `\`${job.source.sha256.slice(0, 12)}\` · video \`${job.driving.sha256.slice(0, 12)}\` · job \`${job.id}\``,
      );
      const all = JSON.stringify(message);
      expect(all).not.toContain(world.dataDir);
      expect(all).not.toMatch(/\.mp4|\.png|https?:/);
      expect(message.attachments).toEqual([]);
    },
  );

  it(
    'GIVEN /settings purge user THEN that member’s generations in this server and their files are deleted, not those elsewhere; audited ' + 'with the counts',
    async () => {
      const mod = moderator();
      const member = await world.member('troublemaker');
      const here = await inOrder([0, 1], async () => await seedJob(world.store, { userId: member.id, guildId: guild().id, channelId: channel('general').id }));
      const other = world.discord.guilds[1]!;
      const elsewhere = await seedJob(world.store, { userId: member.id, guildId: other.id, channelId: other.channels[0]!.id });

      const cmd = await settings(mod, 'purge', { user: member });
      expect(text(cmd)).toBe(`Deleted <@${member.id}>'s animations in this server: 2 animations and 6 files (recorded in the audit log).`);
      for (const j of here) {
        expect(await world.store.getJob(j.id)).toBeNull();
        expect(existsSync(world.store.jobDirectory(j.id))).toBe(false);
      }
      expect(await world.store.getJob(elsewhere.id)).not.toBeNull();
      expect(await latestAudit()).toMatchObject({ actorId: mod.id, action: 'purge.user', targetId: member.id, detail: { jobs: 2, files: 6 } });
    },
  );
});
