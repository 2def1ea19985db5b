import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import type { BotContext, ButtonHandler, SlashCommand } from './context.js';
import { DatabaseUnreachableError } from '../../store/index.js';
import { botMessages } from '../messages/bot.js';

/**
 * Routes interactions to command modules and button handlers; nothing else.
 * The one place where an unexpected error becomes a reply to the user (and a
 * log line with context, never the token).
 */
export function createInteractionRouter(
  ctx: BotContext,
  commands: readonly SlashCommand[],
  buttons: readonly ButtonHandler<unknown>[],
  isShuttingDown: () => boolean,
): (interaction: Interaction) => Promise<void> {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  return async (interaction) => {
    const log = ctx.logger.child({ interaction: interaction.id, guild: interaction.guildId, user: interaction.user.id });
    try {
      if (interaction.isAutocomplete()) {
        await byName.get(interaction.commandName)?.autocomplete?.(interaction, ctx);
        return;
      }
      if (!interaction.isRepliable()) return;
      if (isShuttingDown()) {
        await interaction.reply({ content: botMessages.shuttingDown, flags: MessageFlags.Ephemeral });
        return;
      }
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) {
          log.warn('unknown command', { command: interaction.commandName });
          await interaction.reply({ content: botMessages.unknownCommand, flags: MessageFlags.Ephemeral });
          return;
        }
        log.info('command', { command: interaction.commandName });
        await command.execute(interaction, ctx);
        return;
      }
      if (interaction.isButton()) {
        for (const handler of buttons) {
          const parsed = handler.parse(interaction.customId);
          if (parsed === null) continue;
          await handler.run(interaction, parsed, ctx);
          return;
        }
        await interaction.reply({ content: botMessages.unknownButton, flags: MessageFlags.Ephemeral });
      }
    } catch (e) {
      const unreachable = e instanceof DatabaseUnreachableError;
      log.error(unreachable ? 'interaction failed: the database is unreachable' : 'interaction failed', { error: e as Error, kind: interaction.type });
      if (interaction.isRepliable())
        await replyError(interaction, unreachable ? botMessages.databaseUnreachable : botMessages.internalError).catch(() => undefined);
    }
  };
}

async function replyError(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) await interaction.editReply({ content, components: [] });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}
