/**
 * Every sentence the store produces for people (members and moderators), in one
 * place. Discord renders `<t:SECONDS:R>` as a relative time in the reader's locale.
 */
import type { Refusal } from './admission.js';
import type { SettingKey } from './guild-settings.js';

const SETTING_LABELS: Readonly<Record<SettingKey, string>> = {
  enabled: 'Enabled',
  perUserPerHour: 'The hourly limit per member',
  perUserPerDay: 'The daily limit per member',
  perUserConcurrent: 'The number of animations a member may have in progress',
  guildPerDay: "The server's daily limit",
  maxDrivingSeconds: 'The longest driving video (seconds)',
  maxUploadBytes: 'The largest upload (bytes)',
  visibility: 'Result visibility',
  retentionDays: 'Retention (days)',
};

export function discordTime(ms: number): string {
  return `<t:${Math.ceil(ms / 1000)}:R>`;
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1024) return `${Math.round((mb / 1024) * 10) / 10} GB`;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

/** 12.3 s, 4.5 min, 10 h. */
function shortDuration(seconds: number): string {
  const round = (n: number) => Math.round(n * 10) / 10;
  if (seconds >= 7200) return `${round(seconds / 3600)} h`;
  if (seconds >= 120) return `${round(seconds / 60)} min`;
  return `${round(seconds)} s`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function refusal(r: Refusal): string {
  switch (r.reason) {
    case 'disabled':
      return 'Marionette is turned off in this server by its moderators.';
    case 'channel':
      return "Marionette can't be used in this channel. Ask a moderator which channels are allowed.";
    case 'consent':
      if (r.consent === 'declined') return "You declined Marionette's terms, so it can't animate for you. You can accept them at any time.";
      if (r.consent === 'expired') return "This server's moderators asked everyone to accept Marionette's terms again before the next animation.";
      return 'Before your first animation, please read and accept how Marionette uses your photo and video.';
    case 'too-long':
      return `The driving video is ${shortDuration(r.seconds)} long; this server allows at most ${r.maxSeconds} s.`;
    case 'too-large':
      return `That file is ${megabytes(r.bytes)}; this server accepts at most ${megabytes(r.maxBytes)}.`;
    case 'storage': {
      const frees = `Space frees up as animations expire (${plural(r.retentionDays, 'day')} after they finish, the server's retention) or as members delete theirs with /history.`;
      return r.usedBytes >= r.maxBytes
        ? `This server has filled its ${megabytes(r.maxBytes)} of storage on this bot. ${frees}`
        : `These files (${megabytes(r.incomingBytes)}) would take this server past its ${megabytes(r.maxBytes)} of storage on this bot (${megabytes(r.usedBytes)} used). Smaller files may fit; ${frees.charAt(0).toLowerCase()}${frees.slice(1)}`;
    }
    case 'withdrawn':
      return 'Your Marionette data was deleted while this command was being prepared, so nothing was queued. Run /animate again if you want an animation.';
    case 'rate-limit': {
      const when = r.retryAtMs === null ? '' : ` You can try again ${discordTime(r.retryAtMs)}.`;
      switch (r.limit) {
        case 'user-hour':
          return `You've reached this server's limit of ${plural(r.max, 'animation')} per hour.${when}`;
        case 'user-day':
          return `You've reached this server's limit of ${plural(r.max, 'animation')} per day.${when}`;
        case 'guild-day':
          return `This server has used all ${plural(r.max, 'animation')} it may make per day. More are possible ${discordTime(r.retryAtMs ?? 0)}.`;
        case 'user-concurrent':
          return `You already have ${plural(r.max, 'animation')} in progress, the most allowed here. Try again when it's done.`;
      }
    }
  }
}

export const messages = {
  refusal,
  settingLabel: (key: SettingKey): string => SETTING_LABELS[key],
  settingUnknown: (key: string): string => `There is no setting called "${key}".`,
  settingNotBoolean: (key: SettingKey): string => `${SETTING_LABELS[key]} must be on or off.`,
  settingNotChoice: (key: SettingKey, choices: readonly string[]): string => `${SETTING_LABELS[key]} must be one of: ${choices.join(', ')}.`,
  settingOutOfRange: (key: SettingKey, min: number, max: number): string => `${SETTING_LABELS[key]} must be a whole number from ${min} to ${max}.`,
  settingDayBelowHour: (day: number, hour: number): string => `The daily limit per member (${day}) can't be lower than the hourly limit (${hour}).`,
  /** Reason shown when a worker vanished while running the job. */
  workerLost: 'the bot stopped while making it',
  /** Reason shown when an attempt failed with an error the user can't act on. */
  internalError: 'something went wrong on our side',
  failedAfterAttempts: (attempts: number, reason: string): string =>
    // Every accepted job counts toward the limits, whatever happened to it (docs/store.md): a retry is not free.
    `Your animation failed after ${plural(attempts, 'attempt')}: ${reason}. You can send it again; like any animation, it counts toward this server's limits.`,
  /** A reason is a clause ("the bot stopped…") or a whole sentence from the engine ("The photo is…"). */
  failed: (reason: string): string => (/^[A-Z].*[.!?]$/.test(reason) ? `Your animation failed. ${reason}` : `Your animation failed: ${reason}.`),
  expired: "This animation has expired: its files were deleted, as this server's retention setting requires.",
} as const;
