import type pg from 'pg';
import { SchemaTooNewError, type MigrationResult } from '../sqlite/migrations.js';
import { PG_SCHEMA_V1 } from './schema-v1.js';
import { PG_SCHEMA_V2 } from './schema-v2.js';

/**
 * Versioned migrations of the PostgreSQL store, applied at start-up like SQLite's: the version is the highest
 * row of `schema_migrations`, written in the same transaction as the DDL (PostgreSQL's DDL is transactional),
 * under an advisory lock so processes starting at once apply each migration once. A database whose version is
 * newer than this build knows is refused, and nothing is changed.
 */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: 'the job store (as SQLite schema version 7)', sql: PG_SCHEMA_V1 },
  { version: 2, name: 'the workers that run jobs', sql: PG_SCHEMA_V2 },
];

/** The migration lock's key: any fixed 64-bit number of our own. */
const MIGRATION_LOCK = 7_364_219_001;

export async function migratePostgres(client: pg.PoolClient, where: string, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<MigrationResult> {
  const known = migrations.length;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)');
    const from = Number((await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0);
    if (from > known) throw new SchemaTooNewError(where, from, known);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= from) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, known), applied };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
