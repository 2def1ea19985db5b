/** The pure parts of /settings: what the settings and the audit look like and that they stay within Discord's limits. */
import { describe, expect, it } from 'vitest';
import { fitLines } from '../../src/bot/discord/format.js';
import { auditEmbeds, describeAudit, settingsEmbed } from '../../src/bot/settings/view.js';
import { DEFAULT_GUILD_SETTINGS, newJobId, type AuditEntry, type GuildJobSummary } from '../../src/store/index.js';

const T = Date.UTC(2025, 5, 1, 12);

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
