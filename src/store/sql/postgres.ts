import pg from 'pg';
import type { Sql, SqlDatabase, SqlRow, SqlValue, WriteOptions } from './sql.js';
import { DEFAULT_UNREACHABLE_RETRY_MS, isConnectionFailure, whileUnreachable } from './unreachable.js';

/**
 * The PostgreSQL backend of `Sql`, over a node-postgres pool. Statements are written with `?` placeholders
 * (as for SQLite) and numbered here ($1, $2…); BIGINT columns (the `*_ms` times, sequence numbers) come back
 * as numbers (all of them are well within 2^53). Write transactions take a transaction-scoped advisory lock for
 * each name they decide over, in sorted order (see sql.ts).
 *
 * A server that is briefly away (restarted, failed over) costs a wait, not the work (unreachable.ts): a connection
 * that cannot be made, a transaction that broke before its COMMIT was sent (the server rolled it back), and a
 * read are tried again for up to `unreachableRetryMs`; a COMMIT or a single write whose outcome is unknown is not.
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// SUM over BIGINT is NUMERIC: byte counts, well within 2^53.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly unreachableRetryMs: number,
  ) {}

  static open(url: string, options: { max?: number; applicationName?: string; unreachableRetryMs?: number } = {}): PostgresDatabase {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 5, application_name: options.applicationName ?? 'marionette' });
    // An idle client losing its connection (the server restarted) must not crash the process: the pool replaces it.
    pool.on('error', () => undefined);
    return new PostgresDatabase(pool, options.unreachableRetryMs ?? DEFAULT_UNREACHABLE_RETRY_MS);
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.statement(sql, (q) => q.all<T>(sql, params));
  }
  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.statement(sql, (q) => q.get<T>(sql, params));
  }
  value<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.statement(sql, (q) => q.value<T>(sql, params));
  }
  column<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.statement(sql, (q) => q.column<T>(sql, params));
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ readonly changes: number }> {
    return this.statement(sql, (q) => q.run(sql, params));
  }

  write<T>(locks: readonly string[], fn: (tx: Sql) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    return this.retried((attempt) => this.transaction('BEGIN', fn, locks, attempt), options.idempotent === true);
  }

  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.retried((attempt) => this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn, [], attempt), true);
  }

  async scrub(): Promise<void> {
    // Dead rows are reclaimed by autovacuum; their pages are not readable through the database meanwhile.
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** One connection of the pool, for work outside the `Sql` interface (migrations). */
  async session<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      return await fn(client);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * Runs one try after another while the database is unreachable: a try that failed before it could have taken
   * effect (`attempt.committing` still false) is repeated; with `repeatable` (a read, an idempotent write), any try is.
   */
  private retried<T>(once: (attempt: Attempt) => Promise<T>, repeatable: boolean): Promise<T> {
    let attempt: Attempt = { committing: false };
    return whileUnreachable(
      () => {
        attempt = { committing: false };
        return once(attempt);
      },
      { budgetMs: this.unreachableRetryMs, retryable: (e) => isConnectionFailure(e) && (repeatable || !attempt.committing) },
    );
  }

  /** One statement on its own: a plain SELECT is retried like a read; anything else once it was sent, never. */
  private statement<T>(sql: string, fn: (q: Sql) => Promise<T>): Promise<T> {
    const readOnly = /^\s*SELECT\b/i.test(sql);
    return this.retried(async (attempt) => {
      const client = await this.pool.connect();
      let broken = false;
      const onError = () => (broken = true);
      client.on('error', onError);
      try {
        attempt.committing = true; // from here the statement may have run
        return await fn(on(client));
      } catch (e) {
        if (isConnectionFailure(e)) broken = true;
        throw e;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }, readOnly);
  }

  private async transaction<T>(begin: string, fn: (tx: Sql) => Promise<T>, locks: readonly string[], attempt: Attempt): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A connection that breaks while held (the server restarted) emits 'error' on the client, which the pool does not
    // listen for while it is checked out: without a listener that would end the process. The query in flight fails.
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      await client.query(begin);
      for (const name of [...new Set(locks)].sort()) await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [name]);
      const result = await fn(on(client));
      attempt.committing = true; // from here the outcome may be unknown
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw e;
    } finally {
      client.off('error', onError);
      // A connection whose rollback failed, or that broke (the server went away), is not put back for reuse.
      client.release(broken);
    }
  }
}

/** One try of a transaction or statement: whether it got far enough that it may have taken effect. */
interface Attempt {
  committing: boolean;
}

/** `?` placeholders numbered for Postgres; a `?` inside a quoted string is left alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const c of sql) {
    if (c === "'") quoted = !quoted;
    out += c === '?' && !quoted ? `$${++n}` : c;
  }
  return out;
}

type Queryable = pg.Pool | pg.PoolClient;

function on(q: Queryable): Sql {
  const query = async (sql: string, params: readonly SqlValue[]) => q.query<SqlRow>(numberPlaceholders(sql), params as unknown[]);
  const firstColumn = (r: pg.QueryResult<SqlRow>) => r.rows.map((row) => row[r.fields[0]!.name]);
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows[0] as T | undefined,
    value: async <T>(sql: string, params: readonly SqlValue[] = []) => firstColumn(await query(sql, params))[0] as T | undefined,
    column: async <T>(sql: string, params: readonly SqlValue[] = []) => firstColumn(await query(sql, params)) as T[],
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
  };
}
