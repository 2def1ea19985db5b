import { MessageFlags } from 'discord.js';
import type { BotContext, ButtonHandler } from '../app/context.js';
import { parseConsentButton } from '../discord/custom-ids.js';
import { withdrawPublicReply } from '../discord/private-refusal.js';
import { botMessages } from '../messages/bot.js';
import { refusalText } from '../messages/refusals.js';
import { continueAnimate } from './intake.js';
import { admitEarly } from './start.js';

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
    await ctx.store.setConsent(interaction.user.id, action === 'accept' ? 'accepted' : 'declined');
    ctx.logger.info('consent recorded', { user: interaction.user.id, choice: action });
    const taken = await ctx.consent.take(requestId);
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
    const early = await admitEarly(taken.interaction, ctx);
    if (!early.ok) {
      await interaction.update({ content: `${botMessages.consentRecorded} ${refusalText(early.refusal)}`, components: [] });
      await withdrawPublicReply(taken.interaction);
      return;
    }
    await interaction.update({ content: botMessages.consentAccepted, components: [] });
    await continueAnimate(taken.interaction, taken.request, ctx);
  },
};
