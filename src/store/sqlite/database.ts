import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the store's SQLite file with the settings the
 * durability guarantees rely on:
 *
 * - journal_mode=WAL: readers never block the writer and vice versa; a commit is
 *   one append to the -wal file, which survives kill -9 of the process.
 * - synchronous=FULL: every commit is fsynced to the WAL before it returns, so an
 *   accepted job also survives power loss or an OS crash. NORMAL would only be
 *   safe against process crashes (the last commits could roll back on power
 *   loss); the store writes a handful of rows per job, so the extra fsync costs
 *   nothing that matters and "accepted" can mean "on disk".
 * - busy_timeout: concurrent writers (other processes, other connections) wait
 *   for the lock instead of failing. Every write transaction is BEGIN IMMEDIATE,
 *   so waiting is always enough (no deadlock from read-to-write upgrades).
 * - foreign_keys=ON: secret and child rows are removed with their job.
 * - secure_delete=ON: deleted content (interaction tokens, forgotten users) is
 *   overwritten with zeros in the database file, not left in free pages.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 10_000 });
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new Error(`Could not switch ${file} to WAL journal mode (got ${String(mode)}).`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Checkpoints the WAL into the database file and truncates it, so content deleted with
 * secure_delete (a forgotten user, used tokens) does not linger in the -wal file. Where
 * another connection's reader holds the WAL, the checkpoint is partial; the next sweep
 * tries again.
 */
export function truncateWal(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front. */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
