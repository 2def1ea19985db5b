/**
 * What the bot says for /settings (moderators). Validation sentences for
 * values come from the store (src/store/messages.ts) and are shown as they are.
 */
import type { DeletionReport, SettingKey, Visibility } from '../../store/index.js';
import { discordDate, discordTime, megabytes, plural } from '../discord/format.js';

const LABELS: Readonly<Record<SettingKey, string>> = {
  enabled: 'Marionette',
  perUserPerHour: 'Per member per hour',
  perUserPerDay: 'Per member per day',
  perUserConcurrent: 'Per member at once',
  guildPerDay: 'Whole server per day',
  maxDrivingSeconds: 'Longest driving video',
  maxUploadBytes: 'Largest upload',
  visibility: 'Results',
  retentionDays: 'Retention',
};

export function visibilityText(v: Visibility | string): string {
  return v === 'public' ? 'public in the channel' : 'only the requester';
}

/** A setting's value as moderators read it: "on", "25 MB", "15 s", "7 days"… */
export function settingValue(key: SettingKey, value: unknown): string {
  switch (key) {
    case 'enabled':
      return value === true ? 'on' : 'off';
    case 'visibility':
      return visibilityText(String(value));
    case 'maxUploadBytes':
      return typeof value === 'number' ? megabytes(value) : String(value);
    case 'maxDrivingSeconds':
      return `${String(value)} s`;
    case 'retentionDays':
      return plural(Number(value), 'day');
    default:
      return String(value);
  }
}

export const settingsMessages = {
  label: (key: SettingKey) => LABELS[key],
  notModerator: 'Only members with the Manage Server permission can use /settings.',
  unknownSubcommand: "This version of Marionette doesn't know that /settings subcommand; the commands may need to be registered again.",
  limitsMissing: 'Give at least one limit to change, for example `/settings limits per_hour:5`. `/settings view` shows the current ones.',
  uploadMbOutOfRange: (min: number, max: number) => `The largest upload must be a whole number of megabytes from ${min} to ${max}.`,
  notChanged: (errors: readonly string[]) => ['Nothing was changed:', ...errors.map((e) => `• ${e}`)].join('\n'),
  unchanged: 'Nothing changed: the settings already had those values.',
  saved: (lines: readonly string[]) => ['Saved (recorded in the audit log):', ...lines.map((l) => `• ${l}`)].join('\n'),
  change: (key: SettingKey, from: unknown, to: unknown) => `${LABELS[key]}: ${settingValue(key, from)} → ${settingValue(key, to)}`,
  enabledNote: 'Members can use /animate again.',
  disabledNote: 'Members can’t use /animate until a moderator runs `/settings enable`; /history and /forget-me still work.',
  channelRule: (channelId: string, rule: 'allow' | 'block' | null, allowCount: number) => {
    if (rule === 'block') return `Marionette can no longer be used in <#${channelId}> (recorded in the audit log).`;
    if (rule === 'allow') {
      const only = `Marionette works only in the ${plural(allowCount, 'allowed channel')} and their threads`;
      return `<#${channelId}> is allowed (recorded in the audit log). While any channel is allowed, ${only}.`;
    }
    const everywhere = allowCount === 0 ? ' With no channel allowed, Marionette works in every channel that is not blocked.' : '';
    return `<#${channelId}> has no rule any more (recorded in the audit log).${everywhere}`;
  },
  channelUnchanged: (channelId: string) => `Nothing changed: <#${channelId}> already had that rule.`,
  consentReset: "Done (recorded in the audit log): every member must accept Marionette's terms again before their next animation in this server.",
  purged: (userId: string, r: DeletionReport) =>
    `Deleted <@${userId}>'s animations in this server: ${plural(r.jobsDeleted, 'animation')} and ${plural(r.filesRemoved, 'file')} ` +
    '(recorded in the audit log).',

  view: {
    title: 'Marionette settings for this server',
    defaultsOnly: 'All settings are the defaults.',
    changed: (ms: number, by: string) => `Last changed ${discordTime(ms)} by <@${by}>. Settings marked * differ from the defaults.`,
    status: 'Marionette',
    perMember: 'Per member',
    perMemberValue: (hour: number, day: number, concurrent: number) => `${plural(hour, 'animation')} per hour · ${day} per day · ${concurrent} at once`,
    server: 'Whole server',
    serverValue: (day: number) => `${plural(day, 'animation')} per day`,
    inputs: 'Inputs',
    inputsValue: (secondsMax: number, bytes: number) => `driving video up to ${secondsMax} s · files up to ${megabytes(bytes)}`,
    results: 'Results',
    retention: 'Retention',
    retentionValue: (days: number) => `files deleted ${plural(days, 'day')} after an animation finishes`,
    channels: 'Channels',
    channelsAll: 'every channel',
    /** `list`: the channels as mentions, already fitted (settings-view.ts). */
    allowed: (list: string) => `allowed only: ${list}`,
    blocked: (list: string) => `blocked: ${list}`,
    consent: 'Terms',
    consentOnce: 'each member accepts once',
    consentSince: (ms: number) => `everyone asked to accept again ${discordTime(ms)}`,
  },

  audit: {
    changesTitle: 'Latest settings changes',
    jobsTitle: 'Latest animations in this server',
    noChanges: 'No settings were ever changed here.',
    noJobs: 'No animations were made here yet (or they were deleted).',
    more: (n: number) => `…and ${n} more`,
    entry: (atMs: number, actorId: string, what: string) => `${discordDate(atMs)} <@${actorId}>: ${what}`,
    settingsUpdate: (parts: readonly string[]) => `set ${parts.join('; ')}`,
    settingsReset: (parts: readonly string[]) => `reset to the defaults ${parts.join('; ')}`,
    channelRule: (channelId: string, to: string | null) =>
      to === 'allow' ? `allowed <#${channelId}>` : to === 'block' ? `blocked <#${channelId}>` : `removed the rule of <#${channelId}>`,
    consentReset: 'asked everyone to accept the terms again',
    purge: (userId: string, jobs: number, files: number) => `deleted <@${userId}>'s animations (${plural(jobs, 'animation')}, ${plural(files, 'file')})`,
    unknown: (action: string) => action,
    job: (createdMs: number, userId: string, state: string, model: string, photo: string, video: string, id: string, expired: boolean) =>
      `${discordDate(createdMs)} <@${userId}> · ${state}${expired ? ' (files expired)' : ''} · ${model} · ` +
      `photo \`${photo}\` · video \`${video}\` · job \`${id}\``,
    footer: 'Inputs are shown as the first 12 hex digits of their SHA-256; Marionette shows moderators no media.',
  },
} as const;
