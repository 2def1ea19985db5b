import type { BaseInteraction } from 'discord.js';
import { isChannelAllowed, type Job } from '../../store/index.js';
import { channelParent } from '../discord/channel-parent.js';
import type { BotContext } from '../app/context.js';
import type { PageRef } from './ids.js';
import { HISTORY_PAGE_SIZE, historyView, type HistoryView } from './view.js';
import { historyMessages as m } from '../messages/history.js';

/**
 * Loading a /history page for the interacting user. The page is always the
 * user's own (never anyone else's, whatever the button id says); in a guild it
 * lists that guild's jobs, in DMs every guild's.
 */
export async function loadHistoryView(ctx: BotContext, interaction: BaseInteraction, page: PageRef, note?: string): Promise<HistoryView> {
  const guildId = interaction.guildId ?? null;
  const base = { guildId, limit: HISTORY_PAGE_SIZE };
  let ref = page;
  let result = await ctx.store.history(interaction.user.id, page ? { ...base, cursor: page.cursor, direction: page.direction } : base);
  if (result.items.length === 0 && page !== null) {
    // Everything on that page is gone (deleted, forgotten): show the newest page instead.
    ref = null;
    result = await ctx.store.history(interaction.user.id, base);
  }
  return historyView(result, { inGuild: guildId !== null, canPost: (await postRefusal(ctx, interaction)) === null, page: ref, ...(note ? { note } : {}) });
}

/** Whether the job belongs where the interaction happens (its guild, or anywhere from DMs). */
export function inScope(job: Job, interaction: BaseInteraction): boolean {
  return interaction.guildId === null || job.guildId === interaction.guildId;
}

/**
 * Why a clip may not be posted in this channel, or null if it may. Posting
 * follows the server's rules for results: only where results are public,
 * Marionette is on, and this channel is allowed.
 */
export async function postRefusal(ctx: BotContext, interaction: BaseInteraction): Promise<string | null> {
  if (!interaction.inGuild()) return m.postDm;
  const s = await ctx.store.guildSettings(interaction.guildId);
  if (!s.enabled) return m.postDisabled;
  if (s.visibility !== 'public') return m.postPrivate;
  if (interaction.channelId === null || !isChannelAllowed(s.channels, interaction.channelId, channelParent(interaction.channel))) return m.postChannel;
  return null;
}
