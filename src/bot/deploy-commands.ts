/**
 * `npm run deploy-commands`: registers the slash commands, in one guild when
 * DISCORD_GUILD_ID is set (instant, for development), else globally.
 */
import { config as loadDotenv } from 'dotenv';
import { REST, Routes } from 'discord.js';
import { commands } from '../../commands/index.js';
import { ConfigError, loadConfig } from '../config.js';
import { registrationBody } from './app/command-body.js';

loadDotenv({ quiet: true });

try {
  const config = loadConfig();
  const rest = new REST(config.apiBase ? { api: config.apiBase } : {}).setToken(config.token);
  const body = registrationBody(commands);
  const route = config.guildId ? Routes.applicationGuildCommands(config.clientId, config.guildId) : Routes.applicationCommands(config.clientId);
  const result = (await rest.put(route, { body })) as unknown[];
  process.stdout.write(
    `Registered ${result.length} command${result.length === 1 ? '' : 's'} (${commands.map((c) => `/${c.data.name}`).join(', ')}) ${
      config.guildId ? `in guild ${config.guildId}` : 'globally (they can take up to an hour to appear)'
    }.\n`,
  );
} catch (e) {
  process.stderr.write(`marionette: ${e instanceof ConfigError ? e.message : `registering the commands failed: ${(e as Error).message}`}\n`);
  process.exit(e instanceof ConfigError ? 78 : 1);
}
