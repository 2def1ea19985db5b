/**
 * Writing an object: its row (incomplete, invisible), then its chunks one by one (each committed on its own, so a
 * writer that dies leaves rows the sweep removes, never an open transaction), then one transaction that checks the
 * chunks and completes the object, replacing the one under the same key. A deletion of the object while it is being
 * written (forget-me, the sweep) makes the write fail with MediaWriteAbortedError.
 */
import type pg from 'pg';
import { fixedChunks, ObjectDigest, sha256 } from '../chunks.js';
import { MediaIntegrityError, MediaWriteAbortedError } from '../errors.js';
import { parseMediaKey } from '../media-key.js';
import type { MediaObjectInfo, MediaSource, PutOptions } from '../media-store.js';
import { inTransaction } from './connection.js';
import { NOW_MS } from './migrations.js';
import { infoOf, isForeignKeyViolation, OBJECT_COLUMNS, type ObjectRow } from './rows.js';

interface Written {
  readonly id: string;
  readonly key: string;
  readonly digest: ObjectDigest;
  readonly sha256: string;
}

/** Inserts the chunks, keeping one insert in flight while the next chunk is read. */
async function writeChunks(pool: pg.Pool, id: string, source: MediaSource, chunkBytes: number, digest: ObjectDigest): Promise<void> {
  let inFlight: Promise<unknown> = Promise.resolve();
  for await (const chunk of fixedChunks(source, chunkBytes)) {
    const index = digest.chunks;
    digest.add(chunk);
    await inFlight;
    inFlight = pool.query('INSERT INTO media_chunks (object_id, chunk_no, data, sha256) VALUES ($1, $2, $3, $4)', [id, index, chunk, sha256(chunk)]);
    inFlight.catch(() => undefined); // awaited below or at the next chunk; not an unhandled rejection meanwhile
  }
  await inFlight;
}

async function complete(client: pg.PoolClient, w: Written): Promise<ObjectRow> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`marionette media ${w.key}`]);
  const stored = await client.query<{ n: number; bytes: string }>(
    'SELECT count(*)::int AS n, coalesce(sum(length(data)), 0)::bigint AS bytes FROM media_chunks WHERE object_id = $1',
    [w.id],
  );
  const { n, bytes } = stored.rows[0]!;
  if (n !== w.digest.chunks || Number(bytes) !== w.digest.bytes) {
    throw new MediaIntegrityError(w.key, 'size', `${n} chunks of ${bytes} bytes reached the database where ${w.digest.chunks} of ${w.digest.bytes} were sent`);
  }
  await client.query('DELETE FROM media_objects WHERE key = $1 AND completed_ms IS NOT NULL', [w.key]);
  const done = await client.query<ObjectRow>(
    `UPDATE media_objects SET completed_ms = ${NOW_MS}, bytes = $2, chunk_count = $3, sha256 = $4
      WHERE id = $1 AND completed_ms IS NULL RETURNING ${OBJECT_COLUMNS}`,
    [w.id, w.digest.bytes, w.digest.chunks, Buffer.from(w.sha256, 'hex')],
  );
  if (done.rows.length === 0) throw new MediaWriteAbortedError(w.key);
  return done.rows[0]!;
}

export async function putObject(pool: pg.Pool, key: string, source: MediaSource, chunkBytes: number, options: PutOptions): Promise<MediaObjectInfo> {
  const { jobId, role } = parseMediaKey(key);
  const inserted = await pool.query<{ id: string }>(
    `INSERT INTO media_objects (key, job_id, role, chunk_bytes, started_ms) VALUES ($1, $2, $3, $4, ${NOW_MS}) RETURNING id`,
    [key, jobId, role, chunkBytes],
  );
  const id = inserted.rows[0]!.id;
  const digest = new ObjectDigest();
  try {
    await writeChunks(pool, id, source, chunkBytes, digest);
    const written: Written = { id, key, digest, sha256: digest.finish(key, options) };
    return infoOf(await inTransaction(pool, (client) => complete(client, written)));
  } catch (e) {
    await pool.query('DELETE FROM media_objects WHERE id = $1', [id]).catch(() => undefined); // else the sweep removes it
    throw isForeignKeyViolation(e) ? new MediaWriteAbortedError(key) : e;
  }
}
