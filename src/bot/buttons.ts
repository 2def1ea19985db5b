import { MessageFlags } from 'discord.js';
import { checkEarly, continueAnimate } from './animate-request.js';
import type { BotContext, ButtonHandler } from './context.js';
import { parseConsentButton, parseJobButton } from './custom-ids.js';
import { historyButtons } from './history-buttons.js';
import { botMessages } from './messages.js';
import { withdrawPublicReply } from './private-refusal.js';

/** Cancel: only the requester; a queued job leaves the queue, a running one stops now. */
export const cancelButton: ButtonHandler<{ action: 'cancel'; jobId: string }> = {
  name: 'job-cancel',
  parse: parseJobButton,
  async run(interaction, { jobId }, ctx) {
    const job = ctx.store.getJob(jobId);
    if (!job || job.userId !== interaction.user.id) {
      await interaction.reply({ content: job ? botMessages.notYours : botMessages.unknownButton, flags: MessageFlags.Ephemeral });
      return;
    }
    const outcome = ctx.store.requestCancel(jobId, interaction.user.id);
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

/** Accept / Decline of the terms; Accept resumes the /animate that asked. */
export const consentButton: ButtonHandler<{ action: 'accept' | 'decline'; requestId: string; userId: string | null }> = {
  name: 'consent',
  parse: parseConsentButton,
  async run(interaction, { action, requestId, userId }, ctx: BotContext) {
    // The requester: the waiting command's, else the one the button names (after a restart); an old prompt naming
    // nobody cannot be checked, so it has expired.
    const owner = ctx.consent.peek(requestId)?.userId ?? userId;
    if (owner !== interaction.user.id) {
      await interaction.reply({ content: owner === null ? botMessages.unknownButton : botMessages.notYours, flags: MessageFlags.Ephemeral });
      return;
    }
    ctx.store.setConsent(interaction.user.id, action === 'accept' ? 'accepted' : 'declined');
    ctx.logger.info('consent recorded', { user: interaction.user.id, choice: action });
    const taken = ctx.consent.take(requestId);
    if (action === 'decline') {
      await interaction.update({ content: botMessages.consentDeclined, components: [] });
      if (taken) await withdrawPublicReply(taken.interaction);
      return;
    }
    if (!taken) {
      await interaction.update({ content: botMessages.consentAcceptedRunAgain, components: [] });
      return;
    }
    // The consent check came first, so the limits were not looked at yet: look now, before any download.
    const early = checkEarly(taken.interaction, ctx);
    if (!early.ok) {
      await interaction.update({ content: `${botMessages.consentRecorded} ${early.message}`, components: [] });
      await withdrawPublicReply(taken.interaction);
      return;
    }
    await interaction.update({ content: botMessages.consentAccepted, components: [] });
    await continueAnimate(taken.interaction, taken.request, ctx);
  },
};

export const buttons = [cancelButton, consentButton, ...historyButtons] as const;
