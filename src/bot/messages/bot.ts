/**
 * What the bot says in Discord about animations — the disclaimer, intake, status, delivery — so they stay
 * consistent and testable. The other rooms' sentences are beside this file: refusals.ts (the store's
 * admission rules, settings problems), failures.ts, history.ts, settings.ts.
 */
import { clip, discordTime, quoteUserText } from '../discord/format.js';

/** Carried by every message that carries a generated clip, on every path. No setting removes it. */
export const DISCLAIMER =
  '-# ⚠️ **AI-generated.** Made by Marionette from a still photo with the First Order Motion Model; this is not a real recording. ' +
  'Only animate people who agreed to it.';

const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

export const botMessages = {
  disclaimer: DISCLAIMER,
  guildOnly: 'Marionette works in servers only, not in direct messages.',
  photoMissing: 'Attach a photo (JPEG, PNG, WebP, BMP or GIF) as the photo option.',
  photoNotImage: (type: string | null) => `The photo must be an image (JPEG, PNG, WebP, BMP or GIF)${type ? `, not ${describeType(type)}` : ''}.`,
  videoNotVideo: (type: string | null) => `The video must be a video clip (MP4, MOV, WebM or GIF)${type ? `, not ${describeType(type)}` : ''}.`,
  downloadFailed: (what: 'photo' | 'video') => `Discord didn't let me download the ${what}; please attach it again.`,
  unknownModel: (name: string, available: readonly string[]) =>
    available.length === 0
      ? "No animation model is installed on this bot right now; please tell the bot's owner."
      : `There is no model called "${quoteUserText(name, 80)}" here; choose one of: ${clip(available.join(', '), 1500)}.`,
  demoModelOnly:
    'Note: only the built-in demo model is installed. It moves one object on a plain background (a shape, a logo); faces need a converted FOMM ' +
    "model, which the bot's owner adds with `npx marionette convert` (see docs/convert.md).",
  queued: (position: number, etaDoneMs: number) =>
    position <= 1
      ? `Your animation is next in line. Expected to be ready ${discordTime(etaDoneMs)}.`
      : `Your animation is queued: position ${position}. Expected to be ready ${discordTime(etaDoneMs)}.`,
  running: (percent: number | null, etaMs: number | null, phase: string) => {
    const pct = percent === null ? '' : ` ${Math.floor(percent)}%`;
    const eta = etaMs === null ? '' : ` · ready ${discordTime(etaMs)}`;
    const what = phase === 'reference' ? ' (finding the best starting frame)' : phase === 'framing' ? ' (finding the face in the video)' : '';
    return `Animating…${pct}${eta}${what}`;
  },
  done: 'Done: your animation is below.',
  doneLater: 'Done: your animation was posted in this channel.',
  doneDm: 'Done: your animation was sent to you by direct message.',
  cancelled: 'Cancelled: the animation was stopped and nothing was posted.',
  stoppedForgetMe: 'Stopped: you deleted your data with /forget-me, this animation included.',
  deletedWhileQueued: 'Deleted from your /history before it was made; nothing will be posted.',
  stoppedByModerator: "Stopped: a moderator removed this member's animations from the server.",
  cancelAlreadyDone: 'That animation has already finished, so there is nothing to cancel.',
  notYours: 'Only the person who asked for this animation can do that.',
  unknownButton: 'This button has expired. Run the command again.',
  unknownCommand:
    "This command is not part of this version of Marionette; the server's list of commands is out of date until the bot's owner registers them " +
    'again (npm run deploy-commands).',
  resultReady: (userId: string) => `<@${userId}>, your animation is ready.`,
  dmResultReady: (channelId: string) => `Your animation from <#${channelId}> is ready.`,
  resultPrivateReady: (userId: string) => `<@${userId}>, your animation is ready. It's private in this server: use /history to see it.`,
  resultPrivateFailed: (userId: string) => `<@${userId}>, your animation could not be made. It's private in this server: use /history to see why.`,
  internalError: 'Something went wrong on our side. Please try again in a moment.',
  databaseUnreachable: "Marionette can't reach its database right now, so this was not done. Please try again in a few minutes.",
  clipLost: 'Your animation was made, but its clip was damaged or lost on its way from the worker, so it was not posted; please run /animate again.',
  shuttingDown: 'Marionette is restarting; please run the command again in a minute.',
  lowDisk: "Marionette is short of disk space right now, so it can't take new animations. Please try again later.",
  interrupted: 'Marionette restarted while it was receiving your files, so this animation was not queued. Please run /animate again.',
  tokenLifetimeNote: (ms: number) => `Updates stop after ${minutes(ms)} minutes; the result will still be posted.`,
  consentPrompt: [
    '**Before your first animation, please read this.** Marionette makes a short clip from a photo and a video you give it.',
    '• Only animate people who agreed to it — yourself, or someone who said yes.',
    '• No sexual content, and nothing meant to deceive or harass.',
    '• Every result is labelled **AI-generated**, in the message, in the picture and in the file.',
    '• Your photo, video and results are kept for this server’s retention period; `/history` shows them and `/forget-me` deletes everything.',
  ].join('\n'),
  consentAccepted: 'Thanks. Your animation is on its way.',
  consentRecorded: 'Thanks, your answer is recorded.',
  refusedPublicPlaceholder: 'Not animated; the member who asked has been told why (only they can see it).',
  consentChangedRunAgain: 'Your answer to the terms changed while this command was being prepared, so nothing was queued. Run /animate again to see them.',
  consentPendingPublic: 'Waiting for the member who asked to accept the terms (shown only to them).',
  consentAcceptedRunAgain: 'Thanks. Run /animate again to make your animation.',
  consentDeclined: "Understood: Marionette won't animate anything for you. You can accept later by running /animate again.",
} as const;

function describeType(type: string): string {
  if (type === 'application/pdf') return 'a PDF';
  if (type.startsWith('text/')) return 'a text file';
  if (type.startsWith('audio/')) return 'an audio file';
  if (type.startsWith('video/')) return 'a video';
  if (type.startsWith('image/')) return 'an image';
  // Discord passes the uploader's content type through: quote it plainly and briefly.
  return `${/^[aeiou]/i.test(type) ? 'an' : 'a'} ${quoteUserText(type, 60)} file`;
}
