import { describe, expect, it } from 'vitest';
import { fitLines } from '../../src/bot/discord/format.js';
import { HISTORY_PAGE_SIZE, deleteConfirmView, entryStatus, historyView } from '../../src/bot/history/view.js';
import { limitsPatch } from '../../src/bot/settings/patch.js';
import { auditEmbeds, describeAudit, settingsEmbed } from '../../src/bot/settings/view.js';
import { DEFAULT_GUILD_SETTINGS, newJobId, type AuditEntry, type GuildJobSummary, type Job } from '../../src/store/index.js';

/** The pure parts of /history and /settings: what the messages look like and that they stay within Discord's limits. */
const T = Date.UTC(2025, 5, 1, 12);

function job(over: Partial<Job> = {}): Job {
  return {
    id: newJobId(T),
    state: 'succeeded',
    userId: 'u',
    guildId: 'g',
    channelId: 'c',
    interactionId: null,
    interactionCreatedMs: null,
    source: { path: '/data/jobs/x/photo.png', sha256: 'a'.repeat(64), bytes: 1 },
    driving: { path: '/data/jobs/x/driving.mp4', sha256: 'b'.repeat(64), bytes: 1, seconds: 2 },
    model: 'default',
    options: { mode: 'relative', bestFrame: 'off' },
    visibility: 'requester',
    attachmentLimitBytes: null,
    attempts: 1,
    maxAttempts: 3,
    lastError: null,
    failure: null,
    runAfterMs: 0,
    leaseOwner: null,
    leaseExpiresMs: null,
    progress: null,
    cancelRequestedMs: null,
    createdMs: T,
    firstStartedMs: T,
    startedMs: T,
    finishedMs: T,
    updatedMs: T,
    output: { path: '/data/jobs/x/result.mp4', bytes: 10, durationMs: 2000, notes: [] },
    delivery: 'interaction',
    deliveryVia: 'interaction',
    deliveryAttempts: 1,
    deliveryStartedMs: T,
    deliveredMs: T,
    deliveryMessageId: '1',
    deliveryError: null,
    expiredMs: null,
    ...over,
  };
}

function buttons(view: ReturnType<typeof historyView>) {
  return view.components.flatMap((r) => r.components as Array<{ custom_id: string; label: string }>);
}

describe('/history page', () => {
  it('GIVEN a full page with more on both sides THEN at most 5 rows of at most 5 buttons, unique ids, and one embed within limits', () => {
    const items = Array.from({ length: HISTORY_PAGE_SIZE }, () =>
      job({ failure: { reason: { code: 'input', message: `${'X'.repeat(2999)}.` }, afterRetries: false }, state: 'failed', output: null }),
    );
    const view = historyView({ items, older: 'h5', newer: 'h9' }, { inGuild: true, canPost: true, page: null });
    expect(view.components.length).toBeLessThanOrEqual(5);
    for (const row of view.components) expect(row.components.length).toBeLessThanOrEqual(5);
    const ids = buttons(view).map((b) => b.custom_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(-2)).toEqual(['history:page:h9:newer', 'history:page:h5:older']);
    expect(view.embeds[0]!.description!.length).toBeLessThanOrEqual(4096);
  });

  it('GIVEN entries THEN each says date, model, mode, length and status', () => {
    const view = historyView(
      {
        items: [
          job({ options: { mode: 'absolute', bestFrame: 'auto' } }),
          job({ state: 'failed', output: null, attempts: 3, failure: { reason: { code: 'worker-lost' }, afterRetries: true } }),
          job({ expiredMs: T }),
        ],
        older: null,
        newer: null,
      },
      { inGuild: true, canPost: false, page: null },
    );
    const text = view.embeds[0]!.description!;
    expect(text).toContain(`**1.** <t:${T / 1000}:f> · default · absolute, best frame · 2.0 s\n✅ Delivered`);
    expect(text).toContain('❌ Failed after 3 attempts: the bot stopped while making it.');
    expect(text).toContain('⌛ Expired');
    const labels = buttons(view).map((b) => b.label);
    expect(labels).toEqual(['#1 Show (only you)', '#1 Delete', '#2 Delete', '#3 Delete']);
  });

  it('GIVEN a running job THEN it has neither Show nor Delete', () => {
    const view = historyView(
      { items: [job({ state: 'running', output: null, delivery: 'pending' })], older: null, newer: null },
      { inGuild: true, canPost: true, page: null },
    );
    expect(view.components).toEqual([]);
    expect(entryStatus(job({ state: 'queued', output: null, delivery: 'pending' }))).toMatch(/queue/);
    expect(entryStatus(job({ delivery: 'failed' }))).toMatch(/use Show/);
  });

  it('GIVEN a result delivered in the channel THEN a public one was posted there, a private one only announced (Show it)', () => {
    expect(entryStatus(job({ visibility: 'public', delivery: 'channel' }))).toBe('✅ Delivered');
    expect(entryStatus(job({ visibility: 'requester', delivery: 'channel' }))).toBe(
      '✅ Ready (private here, so the channel only got a notice): use Show to see it',
    );
  });

  it('GIVEN no entries THEN a sentence and no buttons', () => {
    const view = historyView({ items: [], older: null, newer: null }, { inGuild: true, canPost: true, page: null });
    expect(view).toEqual({ content: expect.stringMatching(/Make one with \/animate/), embeds: [], components: [] });
  });

  it('GIVEN Delete THEN the question names the animation, and Keep it returns to the same page', () => {
    const j = job();
    const view = deleteConfirmView(j, { cursor: 'h7', direction: 'older' });
    expect(view.content).toMatch(/^Delete your animation from <t:\d+:f> \(default, relative, 2\.0 s\)\?/);
    expect(buttons(view).map((b) => b.custom_id)).toEqual([`history:delete-yes:${j.id}:h7:older`, 'history:page:h7:older']);
  });
});

describe('/settings limits options', () => {
  const none = { perHour: null, perDay: null, concurrent: null, serverPerDay: null, maxVideoSeconds: null, maxUploadMb: null };
  it('GIVEN options THEN a store patch, megabytes as bytes', () => {
    expect(limitsPatch({ ...none, perHour: 3, maxUploadMb: 8 })).toEqual({
      patch: { perUserPerHour: 3, maxUploadBytes: 8 * 1024 * 1024 },
      errors: [],
      empty: false,
    });
  });
  it('GIVEN no option THEN empty', () => {
    expect(limitsPatch(none).empty).toBe(true);
  });
  it.each([0, 101, 2.5, -3])('GIVEN %s MB THEN a sentence in megabytes', (mb) => {
    expect(limitsPatch({ ...none, maxUploadMb: mb }).errors).toEqual(['The largest upload must be a whole number of megabytes from 1 to 100.']);
  });
});

describe('/settings view and audit', () => {
  it('GIVEN customised settings THEN the embed marks them and names who changed them last', () => {
    const embed = settingsEmbed({
      ...DEFAULT_GUILD_SETTINGS,
      perUserPerHour: 2,
      guildId: 'g',
      channels: { allow: ['11'], block: ['12'] },
      consentEpochMs: T,
      customized: ['perUserPerHour'],
      updatedMs: T,
      updatedBy: '99',
    });
    expect(embed.description).toContain('by <@99>');
    const field = (name: string) => embed.fields!.find((f) => f.name.startsWith(name))!;
    expect(field('Per member')).toEqual({ name: 'Per member *', value: '2 animations per hour · 20 per day · 1 at once' });
    expect(field('Inputs').value).toBe('driving video up to 15 s · files up to 25 MB');
    expect(field('Channels').value).toBe('allowed only: <#11>\nblocked: <#12>');
    expect(field('Terms').value).toMatch(/everyone asked to accept again <t:\d+:R>/);
  });

  it('GIVEN a value set back to its default THEN it is not marked; a long allow list leaves room for the block list', () => {
    const allow = Array.from({ length: 50 }, (_, i) => String(100000000000000000n + BigInt(i)));
    const embed = settingsEmbed({
      ...DEFAULT_GUILD_SETTINGS,
      guildId: 'g',
      channels: { allow, block: ['12'] },
      consentEpochMs: null,
      customized: ['enabled', 'perUserPerHour'],
      updatedMs: T,
      updatedBy: '99',
    });
    const field = (name: string) => embed.fields!.find((f) => f.name.startsWith(name))!;
    expect(field('Per member').name).toBe('Per member');
    expect(embed.fields!.some((f) => f.name.endsWith('*'))).toBe(false);
    const channels = field('Channels').value;
    expect(channels.length).toBeLessThanOrEqual(1024);
    expect(channels).toMatch(/^allowed only: <#100000000000000000>, <#100000000000000001>, .*, …and \d+ more\nblocked: <#12>$/);
  });

  it('GIVEN audit entries of every kind THEN one readable line each', () => {
    const e = (action: AuditEntry['action'], detail: AuditEntry['detail'], targetId: string | null = null): AuditEntry => ({
      id: 1,
      atMs: T,
      guildId: 'g',
      actorId: '7',
      action,
      targetId,
      detail,
    });
    expect(describeAudit(e('settings.update', { changes: { perUserPerHour: { from: 5, to: 1 }, maxUploadBytes: { from: 26214400, to: 8388608 } } }))).toBe(
      `<t:${T / 1000}:f> <@7>: set Per member per hour: 5 → 1; Largest upload: 25 MB → 8 MB`,
    );
    expect(describeAudit(e('channel.rule', { from: null, to: 'block' }, '55'))).toMatch(/<@7>: blocked <#55>$/);
    expect(describeAudit(e('consent.reset', {}))).toMatch(/asked everyone to accept the terms again$/);
    expect(describeAudit(e('purge.user', { jobs: 2, files: 6 }, '8'))).toMatch(/deleted <@8>'s animations \(2 animations, 6 files\)$/);
    expect(describeAudit(e('settings.reset', { changes: { retentionDays: { from: 30, to: 7 } } }))).toMatch(
      /reset to the defaults Retention: 30 days → 7 days$/,
    );
  });

  it('GIVEN many long entries THEN the embeds stay within Discord’s limits and say how many were left out', () => {
    const entries: AuditEntry[] = Array.from({ length: 200 }, (_, i) => ({
      id: i,
      atMs: T,
      guildId: 'g',
      actorId: '7',
      action: 'channel.rule',
      targetId: '1'.repeat(19),
      detail: { to: 'allow' },
    }));
    const jobs: GuildJobSummary[] = Array.from({ length: 200 }, () => ({
      id: newJobId(T),
      userId: '1'.repeat(19),
      createdMs: T,
      state: 'succeeded',
      model: 'vox-256-converted-long-name',
      sourceSha256: 'c'.repeat(64),
      drivingSha256: 'd'.repeat(64),
      expired: false,
    }));
    const embeds = auditEmbeds(entries, jobs);
    const total = embeds.reduce((n, x) => n + (x.title?.length ?? 0) + (x.description?.length ?? 0) + (x.footer?.text.length ?? 0), 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embeds[1]!.description).toMatch(/…and \d+ more$/);
    expect(embeds[1]!.description).toContain('photo `cccccccccccc` · video `dddddddddddd`');
    expect(embeds[1]!.description).not.toContain('c'.repeat(13));
  });

  it('GIVEN lines that fit THEN fitLines keeps them all', () => {
    expect(fitLines(['a', 'b'], 10, (n) => `+${n}`)).toBe('a\nb');
    expect(fitLines(['aaaa', 'bbbb', 'cccc'], 9, (n) => `+${n}`)).toBe('aaaa\n+2');
  });
});
