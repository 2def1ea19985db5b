/**
 * `npm start`: runs the bot with settings from .env (see .env.example).
 * A missing or invalid setting stops it with one sentence; the token is never printed.
 */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../util/log.js';
import { Bot } from './app/bot.js';

loadDotenv({ quiet: true });

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`marionette: ${e.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw e;
}
const logger = createLogger({ level: config.logLevel, redact: [config.token] });
process.on('unhandledRejection', (e) => logger.error('unhandled rejection', { error: e as Error }));

let bot: Bot;
try {
  bot = await Bot.start(config, logger, { shutdownGraceMs: config.shutdownGraceSeconds * 1000 });
} catch (e) {
  if (e instanceof ConfigError) {
    // A setting Discord or the disk contradicts (the token refused, another application's id, no model): exit 78 like the rest.
    logger.error('the bot could not start', { error: e.message });
    process.stderr.write(`marionette: ${e.message}\n`);
    process.exit(78);
  }
  const message = (e as Error).message.split(config.token).join('[redacted]');
  logger.error('the bot could not start', { error: message });
  process.stderr.write(`marionette: the bot could not start: ${message}\n`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('signal received', { signal });
    bot
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        logger.error('shutdown failed', { error: e as Error });
        process.exit(1);
      });
  });
}
