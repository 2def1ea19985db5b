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
  const checks = Promise.all([ctx.store.guildSettings(interaction.guildId), admitEarly(interaction, ctx)]);
  const answered = await withinMs(checks, EARLY_CHECKS_MS);
  if (answered === null) {
    // The store is slow to answer (its database restarting): Discord needs an answer within 3 s, so the command is
    // acknowledged now, privately (the choice that is never wrong), and the checks' answer is shown when it comes.
    ctx.logger.warn('the store was slow before the command was acknowledged; deferred privately', { interaction: interaction.id });
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const [, early] = await checks;
    if (!early.ok && early.refusal.reason !== 'consent') {
      await interaction.editReply({ content: refusalText(early.refusal) });
      return;
    }
    await afterChecks(interaction, request, ctx, early, async () => undefined);
    return;
  }
  const [settings, early] = answered;
  const defer = () => interaction.deferReply(settings.visibility === 'requester' ? { flags: MessageFlags.Ephemeral } : {});
  if (!early.ok && early.refusal.reason !== 'consent') {
    await interaction.reply({ content: refusalText(early.refusal), flags: MessageFlags.Ephemeral });
    return;
  }
  await afterChecks(interaction, request, ctx, early, defer);
}

/** How long the checks before deferring may take, of the 3 s Discord gives a command to be acknowledged. */
const EARLY_CHECKS_MS = 1500;

/** The member admitted, or asked for the terms first: `defer` (when not done yet), then the intake or the terms. */
async function afterChecks(
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  request: AnimateRequest,
  ctx: BotContext,
  early: AdmissionResult,
  defer: () => Promise<unknown>,
): Promise<void> {
  if (!early.ok) {
    await defer();
    await askForConsent(
      interaction,
      request,
      ctx,
      early.refusal.reason === 'consent' && early.refusal.consent === 'expired' ? `${refusalText(early.refusal)}\n\n` : '',
    );
    return;
  }
  await continueAnimate(interaction, request, ctx, defer);
}

/** `work`'s value if it settles within `ms`, else null (its outcome is then the caller's to await). */
async function withinMs<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
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
