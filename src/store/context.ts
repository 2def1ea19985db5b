import type { Clock } from './clock.js';
import type { Sql, SqlDatabase, WriteOptions } from './sql/sql.js';
import { MINUTE_MS, HOUR_MS, SECOND_MS } from './clock.js';

/** Tunables of the queue. Defaults are documented in docs/store.md. */
export interface StoreConfig {
  /** How long a claim stays valid without a heartbeat (visibility timeout). */
  readonly leaseMs: number;
  /** Attempts per job, including the first, before it fails for good. */
  readonly maxAttempts: number;
  /** Backoff before attempt n+1: base · 2^(n−1), at most backoffMaxMs. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Workers that run jobs in parallel (for ETAs). */
  readonly workers: number;
  /** Speed assumed before any job has finished: ms of work per second of driving video. */
  readonly fallbackMsPerDrivingSecond: number;
  /** How many recent successful jobs the speed estimate uses. */
  readonly etaSampleSize: number;
  /** Discord interaction tokens live 15 minutes. */
  readonly interactionTokenLifetimeMs: number;
  /** A token is not handed out when it has less than this left. */
  readonly tokenSafetyMarginMs: number;
  /** A job directory with no job row is removed once it is this old (half-finished downloads, refused requests). */
  readonly orphanGraceMs: number;
  /**
   * Bytes one server's jobs may keep on disk (photos, videos and results not yet deleted by retention); 0: no
   * allowance. The operator's, not the moderators': one server with generous settings must not fill the disk
   * for every other.
   */
  readonly guildStorageBytes: number;
}

export const DEFAULT_STORE_CONFIG: StoreConfig = Object.freeze({
  leaseMs: 2 * MINUTE_MS,
  maxAttempts: 3,
  backoffBaseMs: 30 * SECOND_MS,
  backoffMaxMs: 10 * MINUTE_MS,
  workers: 1,
  fallbackMsPerDrivingSecond: 10 * SECOND_MS,
  etaSampleSize: 20,
  interactionTokenLifetimeMs: 15 * MINUTE_MS,
  tokenSafetyMarginMs: 30 * SECOND_MS,
  orphanGraceMs: HOUR_MS,
  guildStorageBytes: 10 * 1024 ** 3,
});

/** What the store needs of the media store (src/media/media-store.ts): it deletes, never reads. */
export interface JobMediaObjects {
  /** Deletes all of a job's objects; returns how many complete ones went. */
  deleteJob(jobId: string): Promise<number>;
  /** The jobs with any object stored before `beforeMs`. */
  jobsStoredBefore(beforeMs: number): Promise<string[]>;
}

/** What every repository function gets: the database, the clock, where files live. */
export interface StoreContext {
  /** Starts transactions (write, read). */
  readonly db: SqlDatabase;
  /** Runs statements: the database itself, or the transaction in progress (see `write`). */
  readonly sql: Sql;
  readonly clock: Clock;
  /** Absolute, symlink-free path of the data directory. Files the store deletes must be inside it. */
  readonly dataDir: string;
  readonly config: StoreConfig;
  /** The media store, when jobs' bytes also travel through it (workers on other hosts); null: files only. */
  readonly media: JobMediaObjects | null;
}

export function createContext(db: SqlDatabase, clock: Clock, dataDir: string, config: StoreConfig, media: JobMediaObjects | null = null): StoreContext {
  return { db, sql: db, clock, dataDir, config, media };
}

/**
 * Runs `fn` in a write transaction (see sql/sql.ts): its statements go through the context it is given. `locks`
 * name what the decision is over (`guild:<id>`, `user:<id>`, `claim`…); SQLite's single writer implies them.
 */
export function write<T>(ctx: StoreContext, locks: readonly string[], fn: (tx: StoreContext) => Promise<T>, options?: WriteOptions): Promise<T> {
  return ctx.db.write(locks, (sql) => fn({ ...ctx, sql }), options);
}

/** Runs `fn` in a read transaction: one consistent snapshot. */
export function read<T>(ctx: StoreContext, fn: (tx: StoreContext) => Promise<T>): Promise<T> {
  return ctx.db.read((sql) => fn({ ...ctx, sql }));
}
