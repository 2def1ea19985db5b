/**
 * What only the PostgreSQL media store has: its schema's own migrations (a newer schema refused, changing nothing;
 * several processes migrating at once; a failed migration rolled back), and the server restarting mid-read (the
 * read fails; no short file; the next read works).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MEDIA_MIGRATIONS,
  MediaNotFoundError,
  MediaSchemaTooNewError,
  mediaKey,
  mediaSchemaVersion,
  migrateMedia,
  PostgresMediaStore,
} from '../../src/media/index.js';
import { ownPostgres, restartPostgres, skipUnlessPostgres, testDatabase, type OwnPostgres } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';
import { newJobId, pieces, random, sha256Hex } from './helpers.js';

const noPostgres = skipUnlessPostgres();

const pools: pg.Pool[] = [];
const poolFor = (url: string) => {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined); // idle connections dropped by a restart
  pools.push(pool);
  return pool;
};
afterAll(async () => {
  for (const p of pools.splice(0)) await p.end();
});

const tables = async (pool: pg.Pool) =>
  (await pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);

describe.skipIf(noPostgres)('the media schema', () => {
  it('is made on an empty database, and opening again changes nothing', async () => {
    const pool = poolFor(await testDatabase());
    expect(await mediaSchemaVersion(pool)).toBe(0);
    expect(await migrateMedia(pool)).toEqual({ from: 0, to: 1, applied: [1] });
    expect(await tables(pool)).toEqual(['media_chunks', 'media_objects', 'media_schema_migrations']);
    expect(await migrateMedia(pool)).toEqual({ from: 1, to: 1, applied: [] });
    const store = await PostgresMediaStore.open({ pool });
    await store.close(); // a pool it was given stays open
    expect(await mediaSchemaVersion(pool)).toBe(1);
  });

  it('is made once when several processes open the store at the same moment', async () => {
    const url = await testDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresMediaStore.open({ connectionString: url })));
    await Promise.all(stores.map((s) => s.close()));
    const pool = poolFor(url);
    expect((await pool.query('SELECT version FROM media_schema_migrations')).rows).toEqual([{ version: 1 }]);
  });

  it('refuses a newer schema with one sentence, changing nothing', async () => {
    const url = await testDatabase();
    const pool = poolFor(url);
    await migrateMedia(pool);
    await pool.query("INSERT INTO media_schema_migrations VALUES (2, 'from the future', 0)");
    const before = await tables(pool);
    const opening = PostgresMediaStore.open({ connectionString: url });
    await expect(opening).rejects.toThrow(MediaSchemaTooNewError);
    const name = new URL(url).pathname.slice(1);
    await expect(opening).rejects.toThrow(
      `The media tables in database ${name} have schema version 2, but this version of Marionette only knows versions up to 1. ` +
        'They were written by a newer Marionette: run that version, or restore a backup made before the upgrade. Nothing was changed.',
    );
    expect(await tables(pool)).toEqual(before);
    expect(await mediaSchemaVersion(pool)).toBe(2);
  });

  it('rolls back a migration that fails, with its version row', async () => {
    const pool = poolFor(await testDatabase());
    const broken = [...MEDIA_MIGRATIONS, { version: 2, name: 'broken', sql: 'CREATE TABLE media_extra (x int); SELECT no_such_column FROM media_extra' }];
    await expect(migrateMedia(pool, broken)).rejects.toThrow(/no_such_column/);
    expect(await mediaSchemaVersion(pool)).toBe(0); // version 1 was in the same transaction
    expect(await tables(pool)).toEqual([]);
  });
});

describe.skipIf(noPostgres)('the PostgreSQL media store while its server restarts', () => {
  let server: OwnPostgres;
  let url: string;
  let store: PostgresMediaStore;
  beforeAll(async () => {
    server = await ownPostgres();
    url = await server.database();
    store = await PostgresMediaStore.open({ connectionString: url, chunkBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await store.close();
  });

  it.each(['fast', 'immediate'] as const)('a read cut by a %s restart fails before its end, and the next read works', async (mode) => {
    const data = random(40 * 64 * 1024);
    const key = mediaKey(newJobId(), 'result');
    await store.put(key, pieces(data, 64 * 1024));
    const { stream } = await store.read(key);
    const chunks = stream[Symbol.asyncIterator]();
    let delivered = ((await chunks.next()).value as Buffer).length; // reading has begun
    await restartPostgres(url, { mode });
    let error: unknown = null;
    try {
      for (let r = await chunks.next(); !r.done; r = await chunks.next()) delivered += (r.value as Buffer).length;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect(delivered).toBeLessThan(data.length);
    const dir = tempDir();
    // The pool's connections died with the server: the next reads get new ones.
    expect(await store.readToFile(key, join(dir, 'clip.mp4'))).toMatchObject({ bytes: data.length, sha256: sha256Hex(data) });
    expect(await readdir(dir)).toEqual(['clip.mp4']);
  });

  /** A source of three chunks that waits after the second until `resume()`. */
  const stalling = () => {
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    const parts = [random(64 * 1024), random(64 * 1024), random(64 * 1024)];
    const source = (async function* () {
      yield parts[0]!;
      yield parts[1]!;
      await paused;
      yield parts[2]!;
    })();
    return { source, resume, data: Buffer.concat(parts) };
  };

  it('a write that spans a restart completes: each chunk is committed on its own, and the pool reconnects', async () => {
    const key = mediaKey(newJobId(), 'photo');
    const { source, resume, data } = stalling();
    const writing = store.put(key, source);
    await new Promise((r) => setTimeout(r, 200));
    await restartPostgres(url, { mode: 'immediate' });
    resume();
    expect(await writing).toMatchObject({ bytes: data.length, sha256: sha256Hex(data) });
    const copy = join(tempDir(), 'photo');
    await store.readToFile(key, copy);
    expect(sha256Hex(await readFile(copy))).toBe(sha256Hex(data));
  });

  it('a write that finds the server down fails; what it wrote stays invisible until the sweep removes it', async () => {
    const job = newJobId();
    const key = mediaKey(job, 'photo');
    const { source, resume } = stalling();
    const writing = store.put(key, source);
    await new Promise((r) => setTimeout(r, 200));
    await server.stop('immediate');
    resume();
    await expect(writing).rejects.toThrow(/ECONNREFUSED|connect/);
    await server.start();
    expect(await store.stat(key)).toBeNull();
    await expect(store.read(key)).rejects.toThrow(MediaNotFoundError);
    expect(await store.sweepIncomplete(0)).toBe(1); // its clean-up could not reach the server either
    expect(await store.sweepIncomplete(0)).toBe(0);
  });
});
