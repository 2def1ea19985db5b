import { MessageFlags } from 'discord.js';
import type { ButtonHandler } from '../app/context.js';
import { parseJobButton } from '../discord/custom-ids.js';
import { botMessages } from '../messages/bot.js';

/** Cancel: only the requester; a queued job leaves the queue, a running one stops now. */
export const cancelButton: ButtonHandler<{ action: 'cancel'; jobId: string }> = {
  name: 'job-cancel',
  parse: parseJobButton,
  async run(interaction, { jobId }, ctx) {
    const job = await ctx.store.getJob(jobId);
    if (!job || job.userId !== interaction.user.id) {
      await interaction.reply({ content: job ? botMessages.notYours : botMessages.unknownButton, flags: MessageFlags.Ephemeral });
      return;
    }
    const outcome = await ctx.store.requestCancel(jobId, interaction.user.id);
    ctx.logger.info('cancel requested', { job: jobId, user: interaction.user.id, outcome });
    if (outcome === 'already-finished' || outcome === 'not-found') {
      await interaction.reply({
        content: outcome === 'already-finished' ? botMessages.cancelAlreadyDone : botMessages.unknownButton,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    if (outcome === 'cancel-requested') ctx.runner.cancel(jobId);
    await interaction.update({ content: botMessages.cancelled, components: [] });
  },
};
