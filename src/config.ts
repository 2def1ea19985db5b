import { resolve } from 'node:path';
import { ConfigError } from './engine/errors.js';
import { DEVICE_REQUESTS, type DeviceRequest } from './engine/model/execution-provider.js';
import type { LogLevel } from './util/log.js';
import { PROJECT_ROOT } from './version.js';

/**
 * The bot's settings, from the environment (and .env): typed and validated at
 * start-up. A missing or invalid value stops the bot with one sentence that
 * names the variable — and never repeats a secret's value.
 */
export interface BotConfig {
  readonly token: string;
  /** PostgreSQL (several processes and hosts), or null for the SQLite store in dataDir. Holds a password: never log it. */
  readonly databaseUrl: string | null;
  readonly clientId: string;
  /** Register commands in this guild only (instant, for development); null = globally. */
  readonly guildId: string | null;
  readonly dataDir: string;
  readonly modelsDir: string;
  /** Model used when the member does not choose one (a manifest name). */
  readonly defaultModel: string;
  readonly device: DeviceRequest;
  /** Jobs this process runs at once (one per GPU is right); 0: none, `marionette worker` processes run them. */
  readonly workers: number;
  readonly logLevel: LogLevel;
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
  /** Longest one attempt at a job may run before it is stopped and fails. */
  readonly jobTimeoutMinutes: number;
  /** On SIGTERM/SIGINT, how long a running job may finish before it is handed back to the queue. */
  readonly shutdownGraceSeconds: number;
  /** CPU priority of animations (as `nice`, 0–19), below members' commands. */
  readonly jobNiceness: number;
}

export { ConfigError };

export const DEFAULT_CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];
const SNOWFLAKE = /^\d{17,20}$/;
// Three dot-separated base64url parts: user id, timestamp, HMAC.
const BOT_TOKEN = /^[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

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
  const device = (optional(env, 'MARIONETTE_DEVICE') ?? 'auto') as DeviceRequest;
  if (!DEVICE_REQUESTS.includes(device)) throw new ConfigError(`MARIONETTE_DEVICE must be one of ${DEVICE_REQUESTS.join(', ')}, not "${device}".`);
  const logLevel = (optional(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);
  const apiBase = optional(env, 'DISCORD_API_BASE');
  if (apiBase !== null && !/^https?:\/\/[^\s]+\/api$/.test(apiBase))
    throw new ConfigError('DISCORD_API_BASE must be a URL ending in /api, such as http://127.0.0.1:3000/api.');
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/\S+$/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database), or unset for the SQLite store.');
  }
  const cdnHosts = (optional(env, 'MARIONETTE_CDN_HOSTS') ?? DEFAULT_CDN_HOSTS.join(','))
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return {
    token: token.trim(),
    clientId,
    guildId,
    dataDir: resolve(optional(env, 'MARIONETTE_DATA_DIR') ?? resolve(PROJECT_ROOT, 'data')),
    databaseUrl,
    modelsDir: resolve(optional(env, 'MARIONETTE_MODELS_DIR') ?? resolve(PROJECT_ROOT, 'models')),
    defaultModel: optional(env, 'MARIONETTE_DEFAULT_MODEL') ?? 'default',
    device,
    workers: integer(env, 'MARIONETTE_WORKERS', 1, 0, 16),
    logLevel,
    apiBase,
    cdnHosts,
    allowInsecureCdn: optional(env, 'MARIONETTE_ALLOW_INSECURE_CDN') === '1',
    progressIntervalSeconds: integer(env, 'MARIONETTE_PROGRESS_SECONDS', 3, 1, 60),
    downloadTimeoutSeconds: integer(env, 'MARIONETTE_DOWNLOAD_TIMEOUT_SECONDS', 120, 1, 3600),
    downloadIdleSeconds: integer(env, 'MARIONETTE_DOWNLOAD_IDLE_SECONDS', 20, 1, 600),
    minFreeDiskMb: integer(env, 'MARIONETTE_MIN_FREE_DISK_MB', 500, 0, 10_000_000),
    intakeConcurrency: integer(env, 'MARIONETTE_INTAKE_CONCURRENCY', 4, 1, 64),
    guildStorageMb: integer(env, 'MARIONETTE_GUILD_STORAGE_MB', 10_240, 0, 100_000_000),
    jobTimeoutMinutes: integer(env, 'MARIONETTE_JOB_TIMEOUT_MINUTES', 60, 1, 1440),
    shutdownGraceSeconds: integer(env, 'MARIONETTE_SHUTDOWN_GRACE_SECONDS', 20, 0, 3600),
    jobNiceness: integer(env, 'MARIONETTE_JOB_NICENESS', 10, 0, 19),
  };
}

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new ConfigError(`${name} is not set: put ${what} in .env (see .env.example).`);
  return v;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const v = optional(env, name);
  if (v === null) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${v}".`);
  return Number(v);
}
