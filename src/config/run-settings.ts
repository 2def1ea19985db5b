/**
 * The settings every process that runs jobs shares — the bot (with its worker threads) and `marionette worker`:
 * where the job store and the files are, the models, the device, how many jobs at once and how they are bounded.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { DEVICE_REQUESTS, type DeviceRequest } from '../engine/model/execution-provider.js';
import { mediaSettingsFromEnv, type MediaSettings } from '../media/settings.js';
import type { LogLevel } from '../util/log.js';
import { PROJECT_ROOT } from '../version.js';
import { integer, oneOf, optional } from './env-readers.js';

export interface RunSettings {
  /** PostgreSQL (several processes and hosts), or null for the SQLite store in dataDir. Holds a password: never log it. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly modelsDir: string;
  /** Model used when the member does not choose one (a manifest name). */
  readonly defaultModel: string;
  readonly device: DeviceRequest;
  /** Jobs this process runs at once (one per GPU is right); in the bot 0 means none: `marionette worker` processes run them. */
  readonly workers: number;
  readonly logLevel: LogLevel;
  /** Longest one attempt at a job may run before it is stopped and fails. */
  readonly jobTimeoutMinutes: number;
  /** On SIGTERM/SIGINT, how long a running job may finish before it is handed back to the queue. */
  readonly shutdownGraceSeconds: number;
  /** CPU priority of animations (as `nice`, 0–19), below members' commands. */
  readonly jobNiceness: number;
  /**
   * How long a job's claim holds without a heartbeat: after it, a job whose worker died (kill -9, a lost host) is
   * claimed again. Workers heartbeat four times within it. The same in the bot and every worker.
   */
  readonly leaseSeconds: number;
  /** Where jobs' photos, videos and clips travel between hosts (src/media): local files, or PostgreSQL. */
  readonly media: MediaSettings;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function loadRunSettings(env: NodeJS.ProcessEnv, minWorkers: number): RunSettings {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/\S+$/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database), or unset for the SQLite store.');
  }
  const media = mediaSettingsFromEnv(env);
  if (media.backend === 'postgres' && databaseUrl === null) {
    throw new ConfigError("MARIONETTE_MEDIA is postgres, but DATABASE_URL is not set: the media travel in the job store's PostgreSQL database.");
  }
  return {
    databaseUrl,
    dataDir: resolve(optional(env, 'MARIONETTE_DATA_DIR') ?? resolve(PROJECT_ROOT, 'data')),
    modelsDir: resolve(optional(env, 'MARIONETTE_MODELS_DIR') ?? resolve(PROJECT_ROOT, 'models')),
    defaultModel: optional(env, 'MARIONETTE_DEFAULT_MODEL') ?? 'default',
    device: oneOf<DeviceRequest>(env, 'MARIONETTE_DEVICE', DEVICE_REQUESTS, 'auto'),
    workers: integer(env, 'MARIONETTE_WORKERS', 1, minWorkers, 16),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    jobTimeoutMinutes: integer(env, 'MARIONETTE_JOB_TIMEOUT_MINUTES', 60, 1, 1440),
    shutdownGraceSeconds: integer(env, 'MARIONETTE_SHUTDOWN_GRACE_SECONDS', 20, 0, 3600),
    jobNiceness: integer(env, 'MARIONETTE_JOB_NICENESS', 10, 0, 19),
    leaseSeconds: integer(env, 'MARIONETTE_LEASE_SECONDS', 120, 2, 3600),
    media,
  };
}
