import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';

/**
 * A refusal is the member's business alone. Where the command's deferred reply
 * is private it simply becomes the sentence. Where the server shows results in
 * the channel the reply is public, and a deferred reply's visibility cannot
 * change: the sentence goes to the member as a private follow-up and the
 * channel's placeholder is removed, so the channel never reads a rejected
 * upload, a declined consent or a member's limits.
 */
export async function refusePrivately(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  if (interaction.ephemeral === true) {
    await interaction.editReply({ content, components: [] });
    return;
  }
  await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  await withdrawPublicReply(interaction);
}

/** Removes a public command's placeholder reply (nothing to do for a private one); best effort. */
export async function withdrawPublicReply(interaction: ChatInputCommandInteraction): Promise<void> {
  if (interaction.ephemeral !== true) await interaction.deleteReply().catch(() => undefined);
}
