/**
 * What the bot says for /history, Show, Delete and /forget-me. (The general
 * sentences and the DISCLAIMER are in messages.ts; settings in messages-settings.ts.)
 */
import type { DeletionReport } from '../../store/index.js';
import { clip, discordDate, discordTime, megabytes, plural } from '../discord/format.js';

export const historyMessages = {
  title: (inGuild: boolean) => (inGuild ? 'Your animations in this server' : 'Your animations in every server'),
  footer: 'Newest first. Show sends a clip again; Delete removes it and its files for good. Only you see this.',
  empty: (inGuild: boolean) =>
    inGuild ? 'You have no animations in this server (none made yet, or all deleted). Make one with /animate.' : 'Marionette holds no animations of yours.',
  /** One entry's first line: number, date, model, mode, length. */
  entryHeading: (n: number, createdMs: number, model: string, mode: string, length: string) =>
    `**${n}.** ${discordDate(createdMs)} · ${model} · ${mode} · ${length}`,
  status: {
    delivered: '✅ Delivered',
    deliveredDm: '✅ Delivered by direct message',
    done: '✅ Done',
    notDelivered: '⚠️ Finished, but it could not be posted: use Show to see it',
    noticeOnly: '✅ Ready (private here, so the channel only got a notice): use Show to see it',
    delivering: '📤 Being posted',
    queued: '⏳ Waiting in the queue',
    running: '⚙️ Being made now',
    cancelled: '✖️ Cancelled',
    /** The store's sentence ("Your animation failed after 2 attempts: …") without repeating "Your animation". */
    failed: (reason: string | null) => {
      const m = /^Your animation failed( after \d+ attempts?)?[.:]\s*([\s\S]*)$/.exec(reason ?? '');
      return `❌ Failed${m?.[1] ?? ''}: ${clip(m ? m[2]! : (reason ?? 'no reason was recorded'), 300)}`;
    },
    expired: '⌛ Expired: its files were deleted after this server’s retention period',
  },
  label: {
    show: (n: number) => `#${n} Show (only you)`,
    post: (n: number) => `#${n} Post in channel`,
    delete: (n: number) => `#${n} Delete`,
    newer: '◀ Newer',
    older: 'Older ▶',
    deleteYes: 'Delete it',
    keep: 'Keep it',
    forgetYes: 'Delete everything',
    forgetNo: 'Keep my data',
  },

  notYourHistory: "This isn't your history. Use /history to see your own animations.",
  notInHistory: "That animation isn't in your history here (it may have been deleted).",
  expired: "This animation has expired: its files were deleted, as this server's retention setting requires.",
  noClip: (state: string) =>
    state === 'failed' || state === 'cancelled'
      ? 'That animation has no clip to show: it did not finish.'
      : 'That animation is not finished yet; its clip can be shown once it is done.',
  clipMissing: "That animation's clip file is gone, so it can't be shown. Delete the entry, or make it again with /animate.",
  clipTooLarge: (bytes: number, limit: number) => `That clip is ${megabytes(bytes)}, more than Discord lets Marionette upload here (${megabytes(limit)}).`,
  shown: (createdMs: number) => `Your animation from ${discordDate(createdMs)}:`,
  posted: (userId: string, createdMs: number) => `<@${userId}> shared an animation they made ${discordTime(createdMs)}.`,
  postPrivate: "This server keeps results private to the person who made them, so clips can't be posted in the channel. Use Show to see it yourself.",
  postDisabled: "Marionette is turned off in this server, so clips can't be posted here. Use Show to see it yourself.",
  postChannel: "Marionette can't be used in this channel, so the clip can't be posted here. Use Show to see it yourself.",
  postDm: 'In direct messages, use Show.',

  deleteConfirm: (createdMs: number, summary: string) =>
    `Delete your animation from ${discordDate(createdMs)} (${summary})? Its photo, video and result are deleted for good; this can't be undone.`,
  deleted: (createdMs: number, files: number) => `Deleted your animation from ${discordDate(createdMs)}${files > 0 ? `, with ${plural(files, 'file')}` : ''}.`,
  alreadyDeleted: 'That animation was already deleted.',
  deleteRunning: 'That animation is being made right now. Cancel it first (the Cancel button under its status), then delete it.',

  forgetPrompt: [
    '**Delete everything Marionette holds about you?**',
    'In every server: all your animations, with their photos, videos and results, and your answer to the terms. This can’t be undone.',
    'Animations still waiting or being made are stopped first.',
  ].join('\n'),
  forgetNotYours: 'Only the person who ran /forget-me can answer this.',
  forgetCancelled: 'Nothing was deleted.',
  forgetDone: (report: DeletionReport & { readonly userDeleted: boolean }) =>
    [
      `Done. Deleted ${plural(report.jobsDeleted, 'animation')} and ${plural(report.filesRemoved, 'file')}` +
        `${report.userDeleted ? ', and your answer to the terms' : ''}.`,
      'What remains: for at most 24 hours, the times of animations you started in that period (with your user id), so that deleting them does ' +
        'not reset a server’s rate limits; any moderator audit-log entries that name you; and the bot’s event logs, which record your user id beside ' +
        'job ids (never your media), for as long as its operator keeps them. Next time you use /animate, you’ll be asked to accept the terms again.',
    ].join('\n'),
} as const;
