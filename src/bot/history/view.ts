import { ButtonStyle, ComponentType, type APIButtonComponent, type APIEmbed } from 'discord.js';
import type { HistoryPage, Job } from '../../store/index.js';
import type { Row } from '../discord/components.js';
import { attachesClip } from '../delivery/plan.js';
import { seconds } from '../discord/format.js';
import { historyIds, type PageRef } from './ids.js';
import { historyMessages as m } from '../messages/history.js';
import { failureText } from '../messages/failures.js';

/**
 * /history as a message, from a page of the store's history. Pure. One action
 * row per entry (Show, Post, Delete) and one for paging: at most 5 rows of at
 * most 3 buttons, one embed well under Discord's limits.
 */
export const HISTORY_PAGE_SIZE = 4;

export interface HistoryView {
  readonly content: string;
  readonly embeds: APIEmbed[];
  readonly components: Row[];
}

export interface HistoryViewOptions {
  /** In a guild the page lists that guild's jobs; in DMs, every guild's. */
  readonly inGuild: boolean;
  /** Whether "Post in channel" is offered (public results, Marionette on and allowed in this channel). */
  readonly canPost: boolean;
  /** Which page this is, so Delete can come back to it. */
  readonly page: PageRef;
  /** A line above the page, e.g. what was just deleted. */
  readonly note?: string;
}

export function jobMode(job: Job): string {
  const mode = job.options['mode'] === 'absolute' ? 'absolute' : 'relative';
  return job.options['bestFrame'] === 'auto' ? `${mode}, best frame` : mode;
}

export function jobLength(job: Job): string {
  return seconds(job.output && job.output.durationMs > 0 ? job.output.durationMs / 1000 : job.driving.seconds);
}

/** "default, relative, 2.0 s" */
export function jobSummary(job: Job): string {
  return `${job.model}, ${jobMode(job)}, ${jobLength(job)}`;
}

export function isShowable(job: Job): boolean {
  return job.state === 'succeeded' && job.expiredMs === null && !!job.output?.path;
}

export function entryStatus(job: Job): string {
  if (job.expiredMs !== null) return m.status.expired;
  switch (job.state) {
    case 'queued':
      return m.status.queued;
    case 'running':
      return m.status.running;
    case 'cancelled':
      return m.status.cancelled;
    case 'failed':
      return m.status.failed(job.failure === null ? null : failureText(job.failure, job.attempts));
    case 'succeeded':
      switch (job.delivery) {
        case 'interaction':
          return m.status.delivered;
        case 'channel':
          // A private result's channel message is only a notice without the clip (delivery-plan.ts).
          return attachesClip(job.visibility, 'channel') ? m.status.delivered : m.status.noticeOnly;
        case 'dm':
          return m.status.deliveredDm;
        case 'failed':
          return m.status.notDelivered;
        case 'skipped':
          return m.status.done;
        default:
          return m.status.delivering;
      }
  }
}

export function historyView(page: HistoryPage, opts: HistoryViewOptions): HistoryView {
  const note = opts.note ? `${opts.note}\n` : '';
  if (page.items.length === 0) return { content: `${note}${m.empty(opts.inGuild)}`, embeds: [], components: [] };
  const lines = page.items.map((job, i) => `${m.entryHeading(i + 1, job.createdMs, job.model, jobMode(job), jobLength(job))}\n${entryStatus(job)}`);
  const embed: APIEmbed = { title: m.title(opts.inGuild), description: lines.join('\n\n'), footer: { text: m.footer } };
  const rows: Row[] = [];
  page.items.forEach((job, i) => {
    const n = i + 1;
    const buttons: APIButtonComponent[] = [];
    if (isShowable(job)) {
      buttons.push(button(m.label.show(n), historyIds.show(job.id, 'me'), ButtonStyle.Secondary));
      if (opts.canPost) buttons.push(button(m.label.post(n), historyIds.show(job.id, 'channel'), ButtonStyle.Primary));
    }
    if (job.state !== 'running') buttons.push(button(m.label.delete(n), historyIds.delete(job.id, opts.page), ButtonStyle.Danger));
    if (buttons.length > 0) rows.push({ type: ComponentType.ActionRow, components: buttons });
  });
  const nav: APIButtonComponent[] = [];
  if (page.newer) nav.push(button(m.label.newer, historyIds.page({ cursor: page.newer, direction: 'newer' }), ButtonStyle.Secondary));
  if (page.older) nav.push(button(m.label.older, historyIds.page({ cursor: page.older, direction: 'older' }), ButtonStyle.Secondary));
  if (nav.length > 0) rows.push({ type: ComponentType.ActionRow, components: nav });
  return { content: note.trimEnd(), embeds: [embed], components: rows };
}

/** The confirmation that replaces the page when Delete is clicked. */
export function deleteConfirmView(job: Job, page: PageRef): HistoryView {
  return {
    content: m.deleteConfirm(job.createdMs, jobSummary(job)),
    embeds: [],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          button(m.label.deleteYes, historyIds.deleteYes(job.id, page), ButtonStyle.Danger),
          button(m.label.keep, historyIds.page(page), ButtonStyle.Secondary),
        ],
      },
    ],
  };
}

/** The /forget-me question. */
export function forgetView(userId: string): HistoryView {
  return {
    content: m.forgetPrompt,
    embeds: [],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          button(m.label.forgetYes, historyIds.forget('confirm', userId), ButtonStyle.Danger),
          button(m.label.forgetNo, historyIds.forget('cancel', userId), ButtonStyle.Secondary),
        ],
      },
    ],
  };
}

function button(label: string, customId: string, style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger): APIButtonComponent {
  return { type: ComponentType.Button, style, label, custom_id: customId };
}
