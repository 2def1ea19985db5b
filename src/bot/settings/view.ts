import type { APIEmbed, APIEmbedField } from 'discord.js';
import {
  DEFAULT_GUILD_SETTINGS,
  isSettingKey,
  type AuditEntry,
  type GuildJobSummary,
  type GuildSettingsView,
  type JsonValue,
  type SettingKey,
} from '../../store/index.js';
import { fitJoined, fitLines, shortHash } from '../discord/format.js';
import { settingsMessages as m, settingValue, visibilityText } from '../messages/settings.js';

/**
 * /settings view and /settings audit as embeds. Pure. Each description stays
 * far below Discord's 4096 characters and all embeds of a message together
 * below 6000.
 */
const DESCRIPTION_BUDGET = 2500;
const CHANNEL_LIST_BUDGET = 480;

export function settingsEmbed(s: GuildSettingsView): APIEmbed {
  // Marked: a value other than the default (one set back to its default is not).
  const star = (...keys: SettingKey[]) => (keys.some((k) => s[k] !== DEFAULT_GUILD_SETTINGS[k]) ? ' *' : '');
  // Each list gets its share of the field's 1024 characters, so a long allow list never hides the block list.
  const mentions = (ids: readonly string[]) =>
    fitJoined(
      ids.map((id) => `<#${id}>`),
      CHANNEL_LIST_BUDGET,
      m.audit.more,
      ', ',
    );
  const channels = [
    s.channels.allow.length > 0 ? m.view.allowed(mentions(s.channels.allow)) : m.view.channelsAll,
    ...(s.channels.block.length > 0 ? [m.view.blocked(mentions(s.channels.block))] : []),
  ].join('\n');
  const fields: APIEmbedField[] = [
    { name: `${m.view.status}${star('enabled')}`, value: settingValue('enabled', s.enabled), inline: true },
    { name: `${m.view.results}${star('visibility')}`, value: visibilityText(s.visibility), inline: true },
    { name: `${m.view.retention}${star('retentionDays')}`, value: m.view.retentionValue(s.retentionDays), inline: true },
    {
      name: `${m.view.perMember}${star('perUserPerHour', 'perUserPerDay', 'perUserConcurrent')}`,
      value: m.view.perMemberValue(s.perUserPerHour, s.perUserPerDay, s.perUserConcurrent),
    },
    { name: `${m.view.server}${star('guildPerDay')}`, value: m.view.serverValue(s.guildPerDay) },
    { name: `${m.view.inputs}${star('maxDrivingSeconds', 'maxUploadBytes')}`, value: m.view.inputsValue(s.maxDrivingSeconds, s.maxUploadBytes) },
    { name: m.view.channels, value: channels },
    { name: m.view.consent, value: s.consentEpochMs === null ? m.view.consentOnce : m.view.consentSince(s.consentEpochMs) },
  ];
  return {
    title: m.view.title,
    description: s.updatedMs !== null && s.updatedBy !== null ? m.view.changed(s.updatedMs, s.updatedBy) : m.view.defaultsOnly,
    fields,
  };
}

/** "Per member per hour: 5 → 1" for each change in an audit entry's `changes`. */
function changeParts(detail: JsonValue | undefined): string[] {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return [];
  return Object.entries(detail as Record<string, JsonValue>).flatMap(([key, v]) => {
    if (!isSettingKey(key) || v === null || typeof v !== 'object' || Array.isArray(v)) return [];
    const { from, to } = v as { from?: JsonValue; to?: JsonValue };
    return [m.change(key, from, to)];
  });
}

export function describeAudit(e: AuditEntry): string {
  let what: string;
  switch (e.action) {
    case 'settings.update':
      what = m.audit.settingsUpdate(changeParts(e.detail['changes']));
      break;
    case 'settings.reset':
      what = m.audit.settingsReset(changeParts(e.detail['changes']));
      break;
    case 'channel.rule': {
      const to = e.detail['to'];
      what = m.audit.channelRule(e.targetId ?? '?', typeof to === 'string' ? to : null);
      break;
    }
    case 'consent.reset':
      what = m.audit.consentReset;
      break;
    case 'purge.user':
      what = m.audit.purge(e.targetId ?? '?', Number(e.detail['jobs'] ?? 0), Number(e.detail['files'] ?? 0));
      break;
    default:
      what = m.audit.unknown(String(e.action));
  }
  return m.audit.entry(e.atMs, e.actorId, what);
}

export function describeGuildJob(j: GuildJobSummary): string {
  return m.audit.job(j.createdMs, j.userId, j.state, j.model, shortHash(j.sourceSha256), shortHash(j.drivingSha256), j.id, j.expired);
}

export function auditEmbeds(entries: readonly AuditEntry[], jobs: readonly GuildJobSummary[]): APIEmbed[] {
  return [
    {
      title: m.audit.changesTitle,
      description: entries.length > 0 ? fitLines(entries.map(describeAudit), DESCRIPTION_BUDGET, m.audit.more) : m.audit.noChanges,
    },
    {
      title: m.audit.jobsTitle,
      description: jobs.length > 0 ? fitLines(jobs.map(describeGuildJob), DESCRIPTION_BUDGET, m.audit.more) : m.audit.noJobs,
      footer: { text: m.audit.footer },
    },
  ];
}
