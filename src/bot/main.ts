/**
 * `npm start`: runs the bot with settings from .env (see .env.example); with MARIONETTE_SHARDS, one bot process per
 * gateway shard (sharding/shard-manager.ts).
 * A missing or invalid setting stops it with one sentence; the token is never printed.
 */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../util/log.js';
import { Bot } from './app/bot.js';
import { isShardProcess, ShardProcesses } from './sharding/shard-manager.js';

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
// A shard process's lines say which shard (a ShardingManager's SHARDS); the manager's, that they are the manager's.
const role = config.shards === null ? {} : isShardProcess() ? { shard: process.env['SHARDS'] ?? '?' } : { shardManager: true };
const logger = createLogger({ level: config.logLevel, redact: [config.token] }, role);
process.on('unhandledRejection', (e) => logger.error('unhandled rejection', { error: e as Error }));

/** What SIGTERM stops: the bot, or (MARIONETTE_SHARDS) the shard processes that each run one. */
let running: { stop(): Promise<void> };
try {
  running =
    config.shards !== null && !isShardProcess()
      ? await ShardProcesses.start(config, logger)
      : await Bot.start(config, logger, { shutdownGraceMs: config.shutdownGraceSeconds * 1000 });
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
    running
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        logger.error('shutdown failed', { error: e as Error });
        process.exit(1);
      });
  });
}
