/**
 * What a member is told when the store refuses a command (its admission rules: the server's switch and
 * channels, consent, limits, storage) and what a moderator is told about a setting the store refused. The
 * store returns these as data (Refusal, SettingProblem); the words are the bot's.
 */
import type { Refusal, SettingKey, SettingProblem } from '../../store/index.js';
import { discordTime, plural } from '../discord/format.js';

/** 1.5 GB, 120 MB, 2.5 MB: a size as a member reads it. */
function size(bytes: number): string {
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

function rateLimit(r: Extract<Refusal, { reason: 'rate-limit' }>): string {
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

function storage(r: Extract<Refusal, { reason: 'storage' }>): string {
  const frees =
    `Space frees up as animations expire (${plural(r.retentionDays, 'day')} after they finish, the server's retention) ` +
    'or as members delete theirs with /history.';
  if (r.usedBytes >= r.maxBytes) return `This server has filled its ${size(r.maxBytes)} of storage on this bot. ${frees}`;
  const stillFits = `${frees.charAt(0).toLowerCase()}${frees.slice(1)}`;
  const files = `These files (${size(r.incomingBytes)}) would take this server past its ${size(r.maxBytes)} of storage on this bot`;
  return `${files} (${size(r.usedBytes)} used). Smaller files may fit; ${stillFits}`;
}

function consent(r: Extract<Refusal, { reason: 'consent' }>): string {
  if (r.consent === 'declined') return "You declined Marionette's terms, so it can't animate for you. You can accept them at any time.";
  if (r.consent === 'expired') return "This server's moderators asked everyone to accept Marionette's terms again before the next animation.";
  return 'Before your first animation, please read and accept how Marionette uses your photo and video.';
}

/** One sentence (or two) saying why a command was refused and what to do. */
export function refusalText(r: Refusal): string {
  switch (r.reason) {
    case 'disabled':
      return 'Marionette is turned off in this server by its moderators.';
    case 'channel':
      return "Marionette can't be used in this channel. Ask a moderator which channels are allowed.";
    case 'consent':
      return consent(r);
    case 'too-long':
      return `The driving video is ${shortDuration(r.seconds)} long; this server allows at most ${r.maxSeconds} s.`;
    case 'too-large':
      return `That file is ${size(r.bytes)}; this server accepts at most ${size(r.maxBytes)}.`;
    case 'storage':
      return storage(r);
    case 'withdrawn':
      return 'Your Marionette data was deleted while this command was being prepared, so nothing was queued. Run /animate again if you want an animation.';
    case 'rate-limit':
      return rateLimit(r);
  }
}

/** A setting's name at the start of a sentence about its value. */
const PROBLEM_LABELS: Readonly<Record<SettingKey, string>> = {
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

/** One sentence for one value of a moderator's patch that the store refused. */
export function settingProblemText(p: SettingProblem): string {
  switch (p.problem) {
    case 'unknown':
      return `There is no setting called "${p.key}".`;
    case 'not-boolean':
      return `${PROBLEM_LABELS[p.key]} must be on or off.`;
    case 'not-choice':
      return `${PROBLEM_LABELS[p.key]} must be one of: ${p.choices.join(', ')}.`;
    case 'out-of-range':
      return `${PROBLEM_LABELS[p.key]} must be a whole number from ${p.min} to ${p.max}.`;
    case 'day-below-hour':
      return `The daily limit per member (${p.day}) can't be lower than the hourly limit (${p.hour}).`;
  }
}
