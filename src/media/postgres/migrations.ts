/**
 * The media tables' own versioned migrations (they may share a database with the job store, whose schema moves on its
 * own). The version is the highest row of `media_schema_migrations`; each migration runs in the same transaction as
 * its row, under an advisory lock, so processes starting at once migrate one after the other and a crash mid-way
 * leaves the old schema. A database whose media schema is newer than this build knows is refused, changing nothing.
 */
import type pg from 'pg';
import { MediaSchemaTooNewError } from '../errors.js';
import { inTransaction } from './connection.js';
import { MEDIA_SCHEMA_V1 } from './schema-v1.js';

export interface MediaMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MEDIA_MIGRATIONS: readonly MediaMigration[] = [{ version: 1, name: 'media objects and their chunks', sql: MEDIA_SCHEMA_V1 }];

export interface MediaMigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS media_schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL, applied_ms bigint NOT NULL)`;

export const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

async function applyAll(client: pg.PoolClient, migrations: readonly MediaMigration[]): Promise<MediaMigrationResult> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('marionette media schema'))");
  await client.query(VERSION_TABLE);
  const from = (await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM media_schema_migrations')).rows[0]!.v;
  const known = migrations.length;
  if (from > known) {
    const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    throw new MediaSchemaTooNewError(db, from, known);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    await client.query(m.sql);
    await client.query(`INSERT INTO media_schema_migrations (version, name, applied_ms) VALUES ($1, $2, ${NOW_MS})`, [m.version, m.name]);
    applied.push(m.version);
  }
  return { from, to: Math.max(from, known), applied };
}

export async function migrateMedia(pool: pg.Pool, migrations: readonly MediaMigration[] = MEDIA_MIGRATIONS): Promise<MediaMigrationResult> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Media migration list is not contiguous at index ${i} (version ${m.version}).`);
  });
  return inTransaction(pool, (client) => applyAll(client, migrations));
}

/** The media schema version of a database (0: no media tables yet). */
export async function mediaSchemaVersion(pool: pg.Pool): Promise<number> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('media_schema_migrations')::text AS t");
  if (exists.rows[0]?.t === null) return 0;
  return (await pool.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM media_schema_migrations')).rows[0]!.v;
}
