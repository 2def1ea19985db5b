import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { AdmissionResult } from '../../store/index.js';
import type { BotContext } from '../app/context.js';
import { channelParent } from '../discord/channel-parent.js';
import { consentRow } from '../discord/components.js';
import { botMessages } from '../messages/bot.js';
import { refusalText } from '../messages/refusals.js';
import { continueAnimate } from './intake.js';
import type { AnimateRequest } from './request.js';

/**
 * /animate, up to the intake: the guild's settings and the member's limits (cheap, before any download; a
 * refusal is a private reply) → defer (within Discord's 3 s) → the terms, when the member has not accepted
 * them → the intake (intake.ts). Every refusal is one sentence saying what to change.
 */
export async function startAnimate(interaction: ChatInputCommandInteraction, request: AnimateRequest, ctx: BotContext): Promise<void> {
  if (!interaction.inGuild()) {
    await interaction.reply({ content: botMessages.guildOnly, flags: MessageFlags.Ephemeral });
    return;
  }
  // Before deferring (a few milliseconds of the store): a deferred reply's visibility is fixed by the defer, and a
  // refusal (a blocked channel, a member's limits) is the member's business, also where results are public. When
  // it admits, the command's intake is opened in the same transaction: a second command from the member, arriving
  // while this one is deferred and downloading, sees it in progress.
  const [settings, early] = await Promise.all([ctx.store.guildSettings(interaction.guildId), admitEarly(interaction, ctx)]);
  const defer = () => interaction.deferReply(settings.visibility === 'requester' ? { flags: MessageFlags.Ephemeral } : {});
  if (!early.ok) {
    if (early.refusal.reason !== 'consent') {
      await interaction.reply({ content: refusalText(early.refusal), flags: MessageFlags.Ephemeral });
      return;
    }
    await defer();
    await askForConsent(interaction, request, ctx, early.refusal.consent === 'expired' ? `${refusalText(early.refusal)}\n\n` : '');
    return;
  }
  await continueAnimate(interaction, request, ctx, defer);
}

/**
 * The cheap checks, before any download: enabled, channel, consent, then the member's and the server's limits;
 * when they admit, the command's intake is open (store/intakes.ts) until it is queued or refused.
 */
export function admitEarly(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, ctx: BotContext): Promise<AdmissionResult> {
  return ctx.store.admitIntake(
    {
      userId: interaction.user.id,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      parentChannelId: channelParent(interaction.channel),
      interactionId: interaction.id,
    },
    {
      interactionId: interaction.id,
      userId: interaction.user.id,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      token: interaction.token,
      createdMs: interaction.createdTimestamp,
    },
  );
}

/** Holds the command while the member reads the terms (consent-gate.ts), shown to them alone. */
async function askForConsent(
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  request: AnimateRequest,
  ctx: BotContext,
  note: string,
): Promise<void> {
  const requestId = await ctx.consent.hold(interaction, request);
  const prompt = { content: `${note}${botMessages.consentPrompt}`, components: [consentRow(requestId, interaction.user.id)] };
  if (interaction.ephemeral === true) {
    await interaction.editReply(prompt);
    return;
  }
  // Public results: the reply is the channel's, but the terms are the member's alone to read and answer.
  await interaction.editReply({ content: botMessages.consentPendingPublic });
  await interaction.followUp({ ...prompt, flags: MessageFlags.Ephemeral });
}
