/**
 * The media store's backends under test, each with the means to damage what it stored (as a disk or a database
 * fault would) and to count what a write left behind. Local always; PostgreSQL where its server can run here
 * (tests/support/postgres.ts: a fresh database per file).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll } from 'vitest';
import { LocalMediaStore } from '../../src/media/local/local-media-store.js';
import { parseMediaKey, type MediaBackend, type MediaStore } from '../../src/media/index.js';
import { PostgresMediaStore } from '../../src/media/postgres/postgres-media-store.js';
import { skipUnlessPostgres, testDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';

/** Damage done from outside the store, and what is left in it. */
export interface Backdoor {
  /** XOR one byte of the stored object (offset into the object). */
  flipByte(key: string, offset: number): Promise<void>;
  /** The same, and the chunk's own checksum made to match: only the whole object's SHA-256 can tell. */
  flipByteAndChunkSum(key: string, offset: number): Promise<void>;
  /** Local: the file cut short by `bytes`; PostgreSQL: the last chunk row deleted. */
  cutEnd(key: string, bytes: number): Promise<void>;
  /** PostgreSQL: one chunk row deleted (null for local files, which have no separate chunks). */
  readonly dropChunk: ((key: string, index: number) => Promise<void>) | null;
  /** Everything of a job that is stored, complete or not: files in its folder / object and chunk rows. */
  leftovers(jobId: string): Promise<number>;
}

export interface Backend {
  readonly name: MediaBackend;
  /** A store on this file's folder or database; closed when the file's tests end. */
  open(options?: { chunkBytes?: number }): Promise<MediaStore>;
  /** The folder / database URL that open() uses (for child processes). */
  where(): Promise<string>;
  readonly backdoor: Backdoor;
}

const stores: MediaStore[] = [];
const pools: pg.Pool[] = [];
afterAll(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const p of pools.splice(0)) await p.end();
});

function localBackend(): Backend {
  let root: string | null = null;
  const where = async () => (root ??= tempDir('marionette-media-'));
  const dataFile = async (key: string) => {
    const { jobId, role } = parseMediaKey(key);
    const record = JSON.parse(await readFile(join(root!, jobId, `${role}.media.json`), 'utf8')) as { file: string; chunkBytes: number; chunkSha256: string[] };
    return { path: join(root!, jobId, record.file), record, recordPath: join(root!, jobId, `${role}.media.json`) };
  };
  const flip = async (path: string, offset: number) => {
    const handle = await open(path, 'r+');
    const one = Buffer.alloc(1);
    await handle.read(one, 0, 1, offset);
    one[0] = one[0]! ^ 0xff;
    await handle.write(one, 0, 1, offset);
    await handle.close();
  };
  return {
    name: 'local',
    where,
    open: async (options = {}) => {
      await where();
      const s = new LocalMediaStore({ root: root!, ...options });
      stores.push(s);
      return s;
    },
    backdoor: {
      flipByte: async (key, offset) => flip((await dataFile(key)).path, offset),
      flipByteAndChunkSum: async (key, offset) => {
        const { path, record, recordPath } = await dataFile(key);
        await flip(path, offset);
        const index = Math.floor(offset / record.chunkBytes);
        const data = await readFile(path);
        record.chunkSha256[index] = createHash('sha256')
          .update(data.subarray(index * record.chunkBytes, (index + 1) * record.chunkBytes))
          .digest('hex');
        await writeFile(recordPath, JSON.stringify(record));
      },
      cutEnd: async (key, bytes) => {
        const { path } = await dataFile(key);
        await truncate(path, (await stat(path)).size - bytes);
      },
      dropChunk: null,
      leftovers: async (jobId) => (await readdir(join(root!, jobId)).catch(() => [] as string[])).length,
    },
  };
}

function postgresBackend(): Backend {
  let url: string | null = null;
  let admin: pg.Pool | null = null;
  const where = async () => (url ??= await testDatabase());
  const sql = async (text: string, values: unknown[] = []) => {
    admin ??= new pg.Pool({ connectionString: await where(), max: 2 });
    if (!pools.includes(admin)) pools.push(admin);
    return admin.query(text, values);
  };
  const object = '(SELECT id FROM media_objects WHERE key = $1 AND completed_ms IS NOT NULL)';
  const chunkOf = async (key: string, offset: number) => {
    const r = await sql(`SELECT chunk_bytes FROM media_objects WHERE key = $1 AND completed_ms IS NOT NULL`, [key]);
    const chunkBytes = (r.rows[0] as { chunk_bytes: number }).chunk_bytes;
    return { index: Math.floor(offset / chunkBytes), at: offset % chunkBytes };
  };
  const flipped = 'set_byte(data, $3, get_byte(data, $3) # 255)';
  const flipSql = (alsoSum: boolean) =>
    `UPDATE media_chunks SET data = ${flipped}${alsoSum ? `, sha256 = sha256(${flipped})` : ''} WHERE object_id = ${object} AND chunk_no = $2`;
  return {
    name: 'postgres',
    where,
    open: async (options = {}) => {
      const s = await PostgresMediaStore.open({ connectionString: await where(), ...options });
      stores.push(s);
      return s;
    },
    backdoor: {
      flipByte: async (key, offset) => {
        const { index, at } = await chunkOf(key, offset);
        await sql(flipSql(false), [key, index, at]);
      },
      flipByteAndChunkSum: async (key, offset) => {
        const { index, at } = await chunkOf(key, offset);
        await sql(flipSql(true), [key, index, at]);
      },
      cutEnd: async (key) => {
        await sql(`DELETE FROM media_chunks WHERE object_id = ${object} AND chunk_no = (SELECT max(chunk_no) FROM media_chunks WHERE object_id = ${object})`, [
          key,
        ]);
      },
      dropChunk: async (key, index) => {
        await sql(`DELETE FROM media_chunks WHERE object_id = ${object} AND chunk_no = $2`, [key, index]);
      },
      leftovers: async (jobId) => {
        const r = await sql(
          `SELECT (SELECT count(*) FROM media_objects WHERE job_id = $1)::int
                + (SELECT count(*) FROM media_chunks c JOIN media_objects o ON o.id = c.object_id WHERE o.job_id = $1)::int AS n`,
          [jobId],
        );
        return (r.rows[0] as { n: number }).n;
      },
    },
  };
}

const noPostgres = skipUnlessPostgres();

/** Local always; PostgreSQL when it can run here (else a one-sentence skip, a failure under MARIONETTE_CI=1). */
export const BACKENDS: readonly Backend[] = [localBackend(), ...(noPostgres ? [] : [postgresBackend()])];

let jobCounter = 0;
/** A job id of its own for each test (15 base-36 characters, as the job store makes them). */
export function newJobId(): string {
  jobCounter += 1;
  return `${Date.now().toString(36).padStart(9, '0').slice(-9)}${jobCounter.toString(36).padStart(6, '0')}`;
}

export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Random bytes, handed over in pieces of `piece` bytes (as a network stream would). */
export async function* pieces(data: Buffer, piece = 10_000): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += piece) yield data.subarray(at, at + piece);
}

export const random = (bytes: number): Buffer => randomBytes(bytes);

/** Reads a stream to its end, or to its error: what was delivered, and the error. */
export async function drain(stream: Readable): Promise<{ bytes: Buffer; error: unknown }> {
  const got: Buffer[] = [];
  try {
    for await (const chunk of stream) got.push(chunk as Buffer);
    return { bytes: Buffer.concat(got), error: null };
  } catch (e) {
    return { bytes: Buffer.concat(got), error: e };
  }
}
