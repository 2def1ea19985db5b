/**
 * Shared test fixtures: a real store and real job files in temp dirs (tests/support/temp-dir.ts). The store is
 * SQLite, or PostgreSQL when the run says so (MARIONETTE_TEST_STORE=postgres: the `store on PostgreSQL` project
 * of vitest.config.ts runs the same test files again): there, every new data folder gets an empty database
 * (one database per test file, emptied for each new folder), as a new folder gets a new SQLite file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ManualClock, Store, type EnqueueRequest, type EnqueueResult, type Job, type StoreConfig } from '../../src/store/index.js';
import pg from 'pg';
import { testDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';

const stores: Store[] = [];

// Runs before tempDir removes the test's folders (vitest calls afterEach hooks before onTestFinished).
afterEach(async () => {
  for (const s of stores.splice(0)) {
    try {
      await s.close();
    } catch {
      // already closed by the test
    }
  }
});

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

export interface Fixture {
  readonly dir: string;
  readonly clock: ManualClock;
  readonly store: Store;
}

export const ON_POSTGRES = process.env['MARIONETTE_TEST_STORE'] === 'postgres';

let database: Promise<string> | null = null;
const emptied = new Set<string>();

/** This file's PostgreSQL database (children started by the tests find it in MARIONETTE_TEST_DATABASE_URL). */
async function postgresFor(dir: string): Promise<string> {
  database ??= testDatabase().then((url) => ((process.env['MARIONETTE_TEST_DATABASE_URL'] = url), url));
  const url = await database;
  if (!emptied.has(dir)) {
    emptied.add(dir);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != 'schema_migrations'",
      );
      if (tables.rows.length > 0) await client.query(`TRUNCATE ${tables.rows.map((t) => t.tablename).join(', ')} RESTART IDENTITY CASCADE`);
    } finally {
      await client.end();
    }
  }
  return url;
}

export async function openStore(dir: string, clock: ManualClock, config: Partial<StoreConfig> = {}): Promise<Store> {
  const databaseUrl = ON_POSTGRES ? await postgresFor(dir) : null;
  const s = await Store.open({ dataDir: dir, clock, config, databaseUrl });
  stores.push(s);
  return s;
}

export async function fixture(config: Partial<StoreConfig> = {}): Promise<Fixture> {
  const dir = tempDir();
  const clock = new ManualClock(T0);
  return { dir, clock, store: await openStore(dir, clock, config) };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Writes a job's input files into its job directory and returns an enqueue request for it. */
export function request(store: Store, over: Partial<Omit<EnqueueRequest, 'source' | 'driving'>> & { seconds?: number; bytes?: number } = {}): EnqueueRequest {
  const id = over.id ?? store.newJobId();
  const dir = store.jobDirectory(id);
  mkdirSync(dir, { recursive: true });
  const src = Buffer.from(`photo of ${id}`);
  const drv = Buffer.from(`video of ${id}`);
  writeFileSync(join(dir, 'source.png'), src);
  writeFileSync(join(dir, 'driving.mp4'), drv);
  const { seconds, bytes, ...rest } = over;
  return {
    userId: 'u1',
    guildId: 'g1',
    channelId: 'c1',
    model: 'default',
    interaction: null,
    ...rest,
    id,
    source: { path: join(dir, 'source.png'), sha256: sha(src), bytes: bytes ?? src.length },
    driving: { path: join(dir, 'driving.mp4'), sha256: sha(drv), bytes: bytes ?? drv.length, seconds: seconds ?? 5 },
  };
}

/** Enqueues (consenting first) and expects success. */
export async function enqueueOk(store: Store, over: Parameters<typeof request>[1] = {}): Promise<Job> {
  const req = request(store, over);
  await store.setConsent(req.userId, 'accepted');
  const r: EnqueueResult = await store.enqueue(req);
  if (!r.ok) throw new Error(`enqueue refused: ${JSON.stringify(r.refusal)}`);
  return r.job;
}

/** Writes an output file for a job and returns what complete() takes. */
export function output(store: Store, jobId: string): { path: string; bytes: number; durationMs: number } {
  const p = join(store.jobDirectory(jobId), 'out.mp4');
  mkdirSync(store.jobDirectory(jobId), { recursive: true });
  writeFileSync(p, 'mp4 bytes');
  return { path: p, bytes: 9, durationMs: 3000 };
}
