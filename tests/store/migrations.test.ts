import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openDatabase, SchemaTooNewError, schemaVersion, Store, type Migration } from '../../src/store/index.js';
import { PENDING_DELIVERIES_SQL } from '../../src/store/delivery.js';
import { RECENT_GUILD_JOBS_SQL } from '../../src/store/history.js';
import { GUILD_STORED_BYTES_SQL } from '../../src/store/enqueue.js';
import { TURNS_SQL } from '../../src/store/queue-status.js';
import { EXPIRE_BATCH_SQL } from '../../src/store/retention.js';
import { tempDir } from '../support/temp-dir.js';

/** The planner hints are SQLite's (the queries take the dialect they are for). */
const SQLITE = { dialect: 'sqlite' } as Parameters<typeof PENDING_DELIVERIES_SQL>[0];

const tables = (db: Database.Database): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];

describe('migrations', () => {
  it('GIVEN an empty file THEN the migrations create the schema, running them again applies none, and the pragmas are set', () => {
    const file = join(tempDir(), 'm.sqlite');
    const db = openDatabase(file);
    expect(migrate(db)).toEqual({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.version) });
    expect(tables(db)).toEqual([
      'audit_log',
      'channel_rules',
      'consent_waits',
      'guild_settings',
      'intakes',
      'interaction_tokens',
      'jobs',
      'rate_ledger',
      'users',
      'workers',
    ]);
    expect(migrate(db)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length, applied: [] });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('GIVEN failed jobs written before v6 (a sentence per job) THEN they keep their wording as a legacy reason, and the sentence column is gone', () => {
    const db = openDatabase(join(tempDir(), 'v5.sqlite'));
    migrate(db, MIGRATIONS.slice(0, 5));
    const insert = db.prepare(
      `INSERT INTO jobs (id, user_id, guild_id, channel_id, state, model, source_sha256, source_bytes, driving_sha256, driving_bytes, driving_seconds,
                         visibility, max_attempts, run_after_ms, created_ms, updated_ms, failure_message, finished_ms)
       VALUES (?, 'u', 'g', 'c', ?, 'default', 'a', 1, 'b', 1, 1, 'public', 3, 0, 1, 1, ?, ?)`,
    );
    insert.run('j1', 'failed', 'Your animation failed: an old reason.', 2);
    insert.run('j2', 'queued', null, null);
    expect(migrate(db)).toMatchObject({ from: 5, to: MIGRATIONS.length, applied: [6, 7, 8] });
    const rows = db.prepare('SELECT id, failure FROM jobs ORDER BY id').all() as Array<{ id: string; failure: string | null }>;
    expect(rows.map((r) => [r.id, r.failure === null ? null : JSON.parse(r.failure)])).toEqual([
      ['j1', { reason: { code: 'legacy', message: 'Your animation failed: an old reason.' }, afterRetries: false }],
      ['j2', null],
    ]);
    const columns = (db.prepare('PRAGMA table_info(jobs)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(columns).toContain('failure');
    expect(columns).not.toContain('failure_message');
    db.close();
  });

  it('GIVEN the queue time estimate THEN its query walks an index, not every finished job (v3)', () => {
    const db = openDatabase(join(tempDir(), 'plan.sqlite'));
    migrate(db);
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT finished_ms - started_ms AS durationMs, driving_seconds AS units FROM jobs
       WHERE state = 'succeeded' AND started_ms IS NOT NULL ORDER BY finished_ms DESC LIMIT 20`,
        )
        .all() as Array<{ detail: string }>
    )
      .map((r) => r.detail)
      .join(' | ');
    expect(plan).toMatch(/USING INDEX jobs_state_finish/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it.each([
    ["the deliverer's pending jobs", PENDING_DELIVERIES_SQL(SQLITE), [0, 50], /USING INDEX jobs_undelivered/],
    ['the retention sweep', EXPIRE_BATCH_SQL(SQLITE), [0, 7, 1, 0, 0, 200], /USING INDEX jobs_unexpired/],
    ['the latest turn of queued users', TURNS_SQL.user_id, [], /SEARCH j USING COVERING INDEX jobs_user_turn/],
    ['the latest turn of queued servers', TURNS_SQL.guild_id, [], /SEARCH j USING COVERING INDEX jobs_guild_turn/],
    ["a server's recent jobs (/settings audit)", RECENT_GUILD_JOBS_SQL, ['g', 10], /USING INDEX jobs_guild_created/],
    ["a server's stored bytes (every /animate)", GUILD_STORED_BYTES_SQL(SQLITE), ['g'], /SEARCH jobs USING COVERING INDEX jobs_guild_stored/],
  ])('GIVEN %s THEN the query reads an index, never every job ever made (history rows stay forever)', (_what, sql, params, index) => {
    const db = openDatabase(join(tempDir(), 'plan.sqlite'));
    migrate(db);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(index);
    expect(plan).not.toMatch(/SCAN jobs\b(?! USING)|SCAN j\b(?! USING)|TEMP B-TREE FOR ORDER BY/);
    db.close();
  });

  it("GIVEN a data folder that does not exist yet THEN the store creates it for its own user only (members' files live below)", async () => {
    const dir = join(tempDir(), 'new', 'data');
    await (await Store.open({ dataDir: dir })).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('GIVEN a later migration THEN it is applied on top of the current schema', () => {
    const file = join(tempDir(), 'm.sqlite');
    const db = openDatabase(file);
    migrate(db);
    const next: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'test', sql: 'CREATE TABLE extra (x INTEGER);' }];
    expect(migrate(db, next).applied).toEqual([MIGRATIONS.length + 1]);
    expect(tables(db)).toContain('extra');
    db.close();
  });

  it('GIVEN a failing migration THEN it is rolled back completely and the version stays', () => {
    const file = join(tempDir(), 'm.sqlite');
    const db = openDatabase(file);
    migrate(db);
    const broken: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'bad', sql: 'CREATE TABLE half (x); SELECT * FROM nowhere;' }];
    expect(() => migrate(db, broken)).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).not.toContain('half');
    db.close();
  });

  it('GIVEN a database from a newer Marionette THEN opening it is refused with a clear message and the file is unchanged', async () => {
    const dir = tempDir();
    await (await Store.open({ dataDir: dir })).close();
    const raw = new Database(join(dir, 'marionette.sqlite'));
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    let error: unknown;
    try {
      await Store.open({ dataDir: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as Error).message).toMatch(
      new RegExp(`schema version ${MIGRATIONS.length + 5}, but this version of Marionette only knows versions up to ${MIGRATIONS.length}`),
    );
    const check = new Database(join(dir, 'marionette.sqlite'));
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    check.close();
  });

  it('GIVEN a non-contiguous migration list THEN migrate refuses it', () => {
    const db = openDatabase(join(tempDir(), 'm.sqlite'));
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: '' }])).toThrow(/not contiguous/);
    db.close();
  });
});
