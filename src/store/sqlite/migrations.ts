import { immediate, type Db } from './database.js';
import { SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2 } from './schema-v2.js';
import { SCHEMA_V3 } from './schema-v3.js';
import { SCHEMA_V4 } from './schema-v4.js';
import { SCHEMA_V5 } from './schema-v5.js';
import { SCHEMA_V6 } from './schema-v6.js';
import { SCHEMA_V7 } from './schema-v7.js';
import { SCHEMA_V8 } from './schema-v8.js';

/**
 * Versioned migrations, applied at start-up. The schema version is SQLite's
 * `PRAGMA user_version` (stored in the file header, changed in the same
 * transaction as the DDL, so a crash mid-migration leaves the old version and
 * the old schema). A database whose version is newer than the last migration
 * known to this build is refused: an older Marionette must not write into a
 * schema it does not understand.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: SCHEMA_V1 },
  { version: 2, name: 'intakes: commands between acknowledgement and enqueue', sql: SCHEMA_V2 },
  { version: 3, name: 'index for the queue time estimate', sql: SCHEMA_V3 },
  { version: 4, name: "index for a server's stored bytes", sql: SCHEMA_V4 },
  { version: 5, name: 'consent waits: public replies waiting for a member to accept the terms', sql: SCHEMA_V5 },
  { version: 6, name: "a failed job's reason as data (the bot words it)", sql: SCHEMA_V6 },
  { version: 7, name: 'notes on how a clip was made (framing), as data', sql: SCHEMA_V7 },
  { version: 8, name: 'the workers that run jobs: what they can run, their heartbeats and their jobs', sql: SCHEMA_V8 },
];

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `The database ${file} has schema version ${found}, but this version of Marionette only knows ` +
        `versions up to ${known}. It was written by a newer Marionette: run that version, or restore a backup ` +
        `made before the upgrade. Nothing was changed.`,
    );
  }
}

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration list is not contiguous at index ${i} (version ${m.version}).`);
  });
  const known = migrations.length;
  // Check before taking the write lock so a read-only mismatch is reported even
  // while another process holds the lock; then re-check inside the transaction
  // (two processes may start at once: the second sees the first one's result).
  const before = schemaVersion(db);
  if (before > known) throw new SchemaTooNewError(db.name, before, known);
  return immediate(db, () => {
    const from = schemaVersion(db);
    if (from > known) throw new SchemaTooNewError(db.name, from, known);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= from) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }
    return { from, to: Math.max(from, known), applied };
  });
}
