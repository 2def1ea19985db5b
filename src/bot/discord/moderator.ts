import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';

/**
 * Whether the member may use /settings: Manage Server (Administrator implies
 * it). Checked on every run, because the command's default permission is only
 * a default: a server can open the command to anyone in its integration
 * settings, and then the command reaches the bot from members without it.
 */
export function isModerator(interaction: ChatInputCommandInteraction): boolean {
  return interaction.inGuild() && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) === true;
}
