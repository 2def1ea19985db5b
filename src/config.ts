import { ConfigError } from './engine/errors.js';
import { integer, optional, required } from './config/env-readers.js';
import { loadRunSettings, type RunSettings } from './config/run-settings.js';

/**
 * The bot's settings, from the environment (and .env): typed and validated at
 * start-up. A missing or invalid value stops the bot with one sentence that
 * names the variable — and never repeats a secret's value.
 */
export interface BotConfig extends RunSettings {
  readonly token: string;
  readonly clientId: string;
  /** Register commands in this guild only (instant, for development); null = globally. */
  readonly guildId: string | null;
  /**
   * Gateway shards: null for one process holding every guild (the default); a count, or 'auto' for Discord's
   * recommendation, for a ShardingManager that runs one bot process per shard (src/bot/sharding/).
   */
  readonly shards: number | 'auto' | null;
  /** Discord's REST base (…/api), for a local fake Discord in tests; null = discord.com. */
  readonly apiBase: string | null;
  /** Hosts attachments may be downloaded from. */
  readonly cdnHosts: readonly string[];
  /** Allow plain http for attachment downloads (tests against a local CDN only). */
  readonly allowInsecureCdn: boolean;
  /** Seconds between progress edits of the status message. */
  readonly progressIntervalSeconds: number;
  /** Limits on one attachment download: in all, and without receiving a byte. */
  readonly downloadTimeoutSeconds: number;
  readonly downloadIdleSeconds: number;
  /** New commands are refused while the data folder's disk has less free space than this (plus their files). */
  readonly minFreeDiskMb: number;
  /** Commands whose files are downloaded and checked at once; more wait their turn. */
  readonly intakeConcurrency: number;
  /** MB one server's kept photos, videos and results may take on disk (0: no allowance). */
  readonly guildStorageMb: number;
}

export { ConfigError };

export const DEFAULT_CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];
const SNOWFLAKE = /^\d{17,20}$/;
// Three dot-separated base64url parts: user id, timestamp, HMAC.
const BOT_TOKEN = /^[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const token = required(env, 'DISCORD_TOKEN', 'the bot token from the Discord developer portal (Bot → Reset Token)');
  if (!BOT_TOKEN.test(token.trim())) {
    throw new ConfigError('DISCORD_TOKEN does not look like a bot token (three dot-separated parts); copy it again from the Discord developer portal.');
  }
  const clientId = required(env, 'DISCORD_CLIENT_ID', 'the application id from the Discord developer portal (General Information)');
  if (!SNOWFLAKE.test(clientId)) throw new ConfigError(`DISCORD_CLIENT_ID must be the application's numeric id (17 to 20 digits), not "${clientId}".`);
  const guildId = optional(env, 'DISCORD_GUILD_ID');
  if (guildId !== null && !SNOWFLAKE.test(guildId))
    throw new ConfigError(`DISCORD_GUILD_ID must be a server's numeric id (17 to 20 digits), not "${guildId}".`);
  const apiBase = optional(env, 'DISCORD_API_BASE');
  if (apiBase !== null && !/^https?:\/\/[^\s]+\/api$/.test(apiBase))
    throw new ConfigError('DISCORD_API_BASE must be a URL ending in /api, such as http://127.0.0.1:3000/api.');
  const shards = shardSetting(env);
  const cdnHosts = (optional(env, 'MARIONETTE_CDN_HOSTS') ?? DEFAULT_CDN_HOSTS.join(','))
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return {
    ...loadRunSettings(env, 0),
    token: token.trim(),
    clientId,
    guildId,
    shards,
    apiBase,
    cdnHosts,
    allowInsecureCdn: optional(env, 'MARIONETTE_ALLOW_INSECURE_CDN') === '1',
    progressIntervalSeconds: integer(env, 'MARIONETTE_PROGRESS_SECONDS', 3, 1, 60),
    downloadTimeoutSeconds: integer(env, 'MARIONETTE_DOWNLOAD_TIMEOUT_SECONDS', 120, 1, 3600),
    downloadIdleSeconds: integer(env, 'MARIONETTE_DOWNLOAD_IDLE_SECONDS', 20, 1, 600),
    minFreeDiskMb: integer(env, 'MARIONETTE_MIN_FREE_DISK_MB', 500, 0, 10_000_000),
    intakeConcurrency: integer(env, 'MARIONETTE_INTAKE_CONCURRENCY', 4, 1, 64),
    guildStorageMb: integer(env, 'MARIONETTE_GUILD_STORAGE_MB', 10_240, 0, 100_000_000),
  };
}

/** MARIONETTE_SHARDS: unset or 1 → one process; 2 to 4096, or auto → one process per shard. */
function shardSetting(env: NodeJS.ProcessEnv): number | 'auto' | null {
  const v = optional(env, 'MARIONETTE_SHARDS');
  if (v === null) return null;
  if (v === 'auto') return 'auto';
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 4096)
    throw new ConfigError(`MARIONETTE_SHARDS must be auto or a whole number from 1 to 4096, not "${v}".`);
  return Number(v) === 1 ? null : Number(v);
}
