import pg from 'pg';
import type { Sql, SqlDatabase, SqlRow, SqlValue } from './sql.js';

/**
 * The PostgreSQL backend of `Sql`, over a node-postgres pool. Statements are written with `?` placeholders
 * (as for SQLite) and numbered here ($1, $2…); BIGINT columns (the `*_ms` times, sequence numbers) come back
 * as numbers (all of them are well within 2^53). Write transactions take a transaction-scoped advisory lock for
 * each name they decide over, in sorted order (see sql.ts).
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// SUM over BIGINT is NUMERIC: byte counts, well within 2^53.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static open(url: string, options: { max?: number; applicationName?: string } = {}): PostgresDatabase {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 5, application_name: options.applicationName ?? 'marionette' });
    // An idle client losing its connection (the server restarted) must not crash the process: the pool replaces it.
    pool.on('error', () => undefined);
    return new PostgresDatabase(pool);
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return on(this.pool).all<T>(sql, params);
  }
  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return on(this.pool).get<T>(sql, params);
  }
  value<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return on(this.pool).value<T>(sql, params);
  }
  column<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return on(this.pool).column<T>(sql, params);
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ readonly changes: number }> {
    return on(this.pool).run(sql, params);
  }

  write<T>(locks: readonly string[], fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN', fn, locks);
  }

  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn, []);
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

  private async transaction<T>(begin: string, fn: (tx: Sql) => Promise<T>, locks: readonly string[]): Promise<T> {
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
