/**
 * The store's one way to reach its database, whichever it is: SQLite (embedded, one machine, the default) or
 * PostgreSQL (several processes and hosts). Repositories write plain SQL with `?` placeholders and ask for one
 * of the few dialect differences by name (`Dialect`); each backend runs it.
 *
 * Transactions: `write(locks, fn)` runs `fn` so that its reads and writes commit together, and no other write
 * that could change what it read commits in between:
 *   SQLite  — BEGIN IMMEDIATE: the one write lock of the file, taken up front, serializes every writer of every
 *             process (the `locks` names are implied by it).
 *   Postgres — READ COMMITTED, plus transaction-scoped advisory locks for each name in `locks` (taken in sorted
 *             order: no deadlock between them) for decisions over many rows (admission per guild and member, the
 *             fair claim), and `FOR UPDATE` row locks where a function reads the one row it then changes.
 */
export type SqlValue = string | number | bigint | null | Buffer;
export type SqlRow = Record<string, unknown>;
export type DialectName = 'sqlite' | 'postgres';

export interface Sql {
  readonly dialect: DialectName;
  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** The first column of the first row (COUNT(*), MAX(…), an id); undefined when there is no row. */
  value<T = unknown>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** The first column of every row. */
  column<T = unknown>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** An INSERT/UPDATE/DELETE; `changes` rows were affected. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ readonly changes: number }>;
}

export interface WriteOptions {
  /**
   * Running `fn` again after it committed changes nothing (it finds its own earlier effect: an enqueue under a
   * reserved job id, an upsert): a transaction whose COMMIT was sent but not answered (the server went away) may
   * then be run again, where otherwise its unknown outcome is the caller's error.
   */
  readonly idempotent?: boolean;
}

export interface SqlDatabase extends Sql {
  /** A write transaction (see above); `locks` name what it decides over (e.g. `guild:<id>`, `user:<id>`, `claim`). */
  write<T>(locks: readonly string[], fn: (tx: Sql) => Promise<T>, options?: WriteOptions): Promise<T>;
  /** A read transaction: one consistent snapshot for several reads. */
  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * After secrets were deleted (a forgotten member, used tokens): leave no copy where the backend can (SQLite:
   * checkpoint and truncate the WAL; its secure_delete already zeroes freed pages). Postgres: autovacuum reclaims
   * dead rows; nothing to do at once.
   */
  scrub(): Promise<void>;
  close(): Promise<void>;
}

/** `FOR UPDATE` where row locks exist (Postgres); SQLite's write transaction already holds the whole file. */
export function forUpdate(sql: Sql): string {
  return sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
}

/** `FOR UPDATE SKIP LOCKED`: take the row unless another transaction holds it (Postgres); SQLite: nothing to skip. */
export function skipLocked(sql: Sql): string {
  return sql.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
}

/** A SQLite planner hint (`INDEXED BY name`) that Postgres has no syntax for; its planner picks the index itself. */
export function indexedBy(sql: Sql, index: string): string {
  return sql.dialect === 'sqlite' ? ` INDEXED BY ${index}` : '';
}

/** The larger of two values: SQLite's two-argument MAX, Postgres's GREATEST. */
export function greatest(sql: Sql, a: string, b: string): string {
  return `${sql.dialect === 'postgres' ? 'GREATEST' : 'MAX'}(${a}, ${b})`;
}
