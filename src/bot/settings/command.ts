import { MessageFlags, type ChatInputCommandInteraction, type InteractionReplyOptions } from 'discord.js';
import { validateSettingsPatch, type SettingChange } from '../../store/index.js';
import type { BotContext } from '../app/context.js';
import { botMessages } from '../messages/bot.js';
import { settingsMessages as m } from '../messages/settings.js';
import { isModerator } from '../discord/moderator.js';
import { LIMIT_OPTION_NAMES, limitsPatch } from './patch.js';
import { auditEmbeds, settingsEmbed } from './view.js';
import { stopJobsOf } from '../status/stop-jobs.js';
import { settingProblemText } from '../messages/refusals.js';

/**
 * /settings: moderators' controls for one guild. The command is registered for
 * Manage Server only, and every run checks it again. All changes go through
 * the store, which validates them and writes the audit log in the same
 * transaction; the next /animate reads them from there.
 */
type Guilded = ChatInputCommandInteraction<'cached' | 'raw'>;
type Handler = (interaction: Guilded, ctx: BotContext) => Promise<void>;

const ephemeral = (message: Omit<InteractionReplyOptions, 'flags'>): InteractionReplyOptions => ({
  ...message,
  flags: MessageFlags.Ephemeral,
  allowedMentions: { parse: [] },
});

function reply(interaction: Guilded, content: string): Promise<unknown> {
  return interaction.reply(ephemeral({ content }));
}

/** Applies a patch through the store and says what changed, or every problem. */
async function applyPatch(interaction: Guilded, ctx: BotContext, patch: Record<string, unknown>, note?: string): Promise<void> {
  const result = await ctx.store.updateGuildSettings(interaction.guildId, patch, interaction.user.id);
  if (!result.ok) return void (await reply(interaction, m.notChanged(result.problems.map(settingProblemText))));
  if (result.changes.length === 0) return void (await reply(interaction, m.unchanged));
  logChanges(ctx, interaction, result.changes);
  const lines = result.changes.map((c) => m.change(c.key, c.from, c.to));
  await reply(interaction, `${m.saved(lines)}${note ? `\n${note}` : ''}`);
}

function logChanges(ctx: BotContext, interaction: Guilded, changes: readonly SettingChange[]): void {
  ctx.logger.info('settings changed', { guild: interaction.guildId, actor: interaction.user.id, changes: changes.map((c) => c.key).join(',') });
}

const handlers: Readonly<Record<string, Handler>> = {
  async view(interaction, ctx) {
    await interaction.reply(ephemeral({ embeds: [settingsEmbed(await ctx.store.guildSettings(interaction.guildId))] }));
  },

  async limits(interaction, ctx) {
    const get = (name: string) => interaction.options.getInteger(name);
    const { patch, errors, empty } = limitsPatch({
      perHour: get(LIMIT_OPTION_NAMES.perHour),
      perDay: get(LIMIT_OPTION_NAMES.perDay),
      concurrent: get(LIMIT_OPTION_NAMES.concurrent),
      serverPerDay: get(LIMIT_OPTION_NAMES.serverPerDay),
      maxVideoSeconds: get(LIMIT_OPTION_NAMES.maxVideoSeconds),
      maxUploadMb: get(LIMIT_OPTION_NAMES.maxUploadMb),
    });
    if (empty) return void (await reply(interaction, m.limitsMissing));
    if (errors.length > 0) {
      // Say everything that is wrong at once; nothing is written.
      const rest = validateSettingsPatch(await ctx.store.guildSettings(interaction.guildId), patch);
      return void (await reply(interaction, m.notChanged([...errors, ...(rest.ok ? [] : rest.problems.map(settingProblemText))])));
    }
    await applyPatch(interaction, ctx, patch);
  },

  async channels(interaction, ctx) {
    const channelId = interaction.options.getChannel('channel', true).id;
    const choice = interaction.options.getString('rule', true);
    const rule = choice === 'allow' || choice === 'block' ? choice : null;
    const before = (await ctx.store.guildSettings(interaction.guildId)).channels;
    const had = before.allow.includes(channelId) ? 'allow' : before.block.includes(channelId) ? 'block' : null;
    if (had === rule) return void (await reply(interaction, m.channelUnchanged(channelId)));
    const after = await ctx.store.setChannelRule(interaction.guildId, channelId, rule, interaction.user.id);
    ctx.logger.info('channel rule changed', { guild: interaction.guildId, actor: interaction.user.id, channel: channelId, rule });
    await reply(interaction, m.channelRule(channelId, rule, after.channels.allow.length));
  },

  async enable(interaction, ctx) {
    await applyPatch(interaction, ctx, { enabled: true }, m.enabledNote);
  },

  async disable(interaction, ctx) {
    await applyPatch(interaction, ctx, { enabled: false }, m.disabledNote);
  },

  async visibility(interaction, ctx) {
    await applyPatch(interaction, ctx, { visibility: interaction.options.getString('results', true) });
  },

  async retention(interaction, ctx) {
    await applyPatch(interaction, ctx, { retentionDays: interaction.options.getInteger('days', true) });
  },

  async 'require-consent'(interaction, ctx) {
    await ctx.store.requireConsentAgain(interaction.guildId, interaction.user.id);
    ctx.logger.info('consent required again', { guild: interaction.guildId, actor: interaction.user.id });
    await reply(interaction, m.consentReset);
  },

  async audit(interaction, ctx) {
    const embeds = auditEmbeds(await ctx.store.auditLog(interaction.guildId, 10), await ctx.store.recentGuildJobs(interaction.guildId, 10));
    await interaction.reply(ephemeral({ embeds }));
  },

  async purge(interaction, ctx) {
    const target = interaction.options.getUser('user', true);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await stopJobsOf(ctx, target.id, interaction.guildId, botMessages.stoppedByModerator);
    const report = await ctx.store.purgeUserInGuild(interaction.guildId, target.id, interaction.user.id);
    ctx.logger.info('member purged', { guild: interaction.guildId, actor: interaction.user.id, target: target.id, jobs: report.jobsDeleted });
    await interaction.editReply({ content: m.purged(target.id, report), allowedMentions: { parse: [] } });
  },
};

export const SETTINGS_SUBCOMMANDS = Object.keys(handlers);

export async function handleSettings(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inGuild()) {
    await interaction.reply({ content: botMessages.guildOnly, flags: MessageFlags.Ephemeral });
    return;
  }
  if (!isModerator(interaction)) {
    ctx.logger.warn('settings refused: not a moderator', { guild: interaction.guildId, user: interaction.user.id });
    await reply(interaction, m.notModerator);
    return;
  }
  const handler = handlers[interaction.options.getSubcommand(true)];
  if (!handler) {
    await reply(interaction, m.unknownSubcommand);
    return;
  }
  await handler(interaction, ctx);
}
