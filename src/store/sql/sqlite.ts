import type Database from 'better-sqlite3';
import type { Db } from '../sqlite/database.js';
import { Mutex } from './mutex.js';
import type { Sql, SqlDatabase, SqlValue } from './sql.js';

/**
 * The SQLite backend of `Sql` over one better-sqlite3 connection (synchronous). Everything on the connection
 * goes through one mutex: a transaction's `fn` awaits between its statements, and no other statement of this
 * process may slip into it meanwhile (it would read uncommitted rows, or write into someone else's transaction).
 * Other processes wait for the file's lock (busy_timeout), as before.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, Database.Statement>();
  private readonly mutex = new Mutex();
  private readonly direct: Sql;

  constructor(readonly db: Db) {
    this.direct = this.executor();
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.mutex.run(() => this.direct.all<T>(sql, params));
  }
  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.mutex.run(() => this.direct.get<T>(sql, params));
  }
  value<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.mutex.run(() => this.direct.value<T>(sql, params));
  }
  column<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.mutex.run(() => this.direct.column<T>(sql, params));
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ readonly changes: number }> {
    return this.mutex.run(() => this.direct.run(sql, params));
  }

  write<T>(_locks: readonly string[], fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.mutex.run(() => this.transaction('BEGIN IMMEDIATE', fn));
  }

  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.mutex.run(() => this.transaction('BEGIN DEFERRED', fn));
  }

  scrub(): Promise<void> {
    return this.mutex.run(async () => void this.db.pragma('wal_checkpoint(TRUNCATE)'));
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => this.db.close());
  }

  private async transaction<T>(begin: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
    this.db.exec(begin);
    try {
      const result = await fn(this.direct);
      this.db.exec('COMMIT');
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** The statements themselves, unguarded: for use inside the mutex. */
  private executor(): Sql {
    const stmt = (sql: string): Database.Statement => {
      let s = this.cache.get(sql);
      if (s === undefined) {
        s = this.db.prepare(sql);
        this.cache.set(sql, s);
      }
      return s;
    };
    const reader = (sql: string) => {
      const s = stmt(sql);
      return s.reader ? s.pluck(false).raw(false) : s;
    };
    return {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => reader(sql).all(...params) as T[],
      get: async <T>(sql: string, params: readonly SqlValue[] = []) => reader(sql).get(...params) as T | undefined,
      value: async <T>(sql: string, params: readonly SqlValue[] = []) =>
        stmt(sql)
          .pluck(true)
          .get(...params) as T | undefined,
      column: async <T>(sql: string, params: readonly SqlValue[] = []) =>
        stmt(sql)
          .pluck(true)
          .all(...params) as T[],
      run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: stmt(sql).run(...params).changes }),
    };
  }
}
