import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { botMessages } from '../messages/bot.js';

/**
 * A refusal is the member's business alone. Where the command's deferred reply
 * is private it simply becomes the sentence. Where the server shows results in
 * the channel the reply is public, and a deferred reply's visibility cannot
 * change: the sentence goes to the member as a private follow-up and the
 * channel's placeholder is removed, so the channel never reads a rejected
 * upload, a declined consent or a member's limits.
 *
 * Discord turns the first follow-up to a deferred reply that is still
 * "thinking…" into that reply, flags ignored — an "ephemeral" follow-up there
 * would be public, and deleting the placeholder would delete it. So the
 * placeholder is edited first (to a line that says nothing about the member),
 * which ends its loading state; only then is the follow-up its own message.
 */
export async function refusePrivately(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  if (interaction.ephemeral === true) {
    await interaction.editReply({ content, components: [] });
    return;
  }
  await interaction.editReply({ content: botMessages.refusedPublicPlaceholder, components: [] });
  try {
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } catch {
    // The member must learn why: say it in the reply they can see, public as it is.
    await interaction.editReply({ content, components: [] });
    return;
  }
  await withdrawPublicReply(interaction);
}

/** Removes a public command's placeholder reply (nothing to do for a private one); best effort. */
export async function withdrawPublicReply(interaction: ChatInputCommandInteraction): Promise<void> {
  if (interaction.ephemeral !== true) await interaction.deleteReply().catch(() => undefined);
}
