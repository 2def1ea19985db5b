import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../src/bot/app/context.js';
import { forgetView } from '../src/bot/history/view.js';

/** /forget-me: asks to confirm, then deletes everything the bot holds about the member (src/bot/history-buttons.ts). */
export const forgetMe: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('forget-me')
    .setDescription('Delete everything Marionette holds about you: animations, photos, videos, your answer to the terms.')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM),
  async execute(interaction) {
    const view = forgetView(interaction.user.id);
    await interaction.reply({ content: view.content, components: view.components, flags: MessageFlags.Ephemeral });
  },
};
