import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../src/bot/app/context.js';
import { loadHistoryView } from '../src/bot/history/page.js';

/** /history: the member's own animations, newest first, only to them; Show and Delete per entry (src/bot/history-buttons.ts). */
export const history: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('history')
    .setDescription('Your animations, newest first: show one again or delete it. Only you see the list.')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM),
  async execute(interaction, ctx) {
    const view = await loadHistoryView(ctx, interaction, null);
    await interaction.reply({
      ...(view.content ? { content: view.content } : {}),
      embeds: view.embeds,
      components: view.components,
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  },
};
