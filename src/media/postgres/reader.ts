/**
 * Reading an object: one connection, one read-only REPEATABLE READ transaction for the whole read, so the reader sees
 * one snapshot even if the object is replaced or deleted meanwhile (PostgreSQL keeps the rows a snapshot can see).
 * Before the first byte, the chunks' count and lengths are checked against the object row (a missing chunk or a
 * truncated object fails at once, naming the first missing chunk); then chunks are fetched one at a time as the
 * consumer reads, each verified before it is passed on.
 */
import type pg from 'pg';
import { MediaIntegrityError, MediaNotFoundError } from '../errors.js';
import { checkWrittenObject, verifiedStream, type ChunkSource, type WrittenObject } from '../verified-stream.js';
import type { MediaRead } from '../media-store.js';
import { checkout, rollbackAndRelease } from './connection.js';
import { infoOf, OBJECT_COLUMNS, writtenOf, type ObjectRow } from './rows.js';

async function checkChunks(client: pg.PoolClient, id: string, o: WrittenObject): Promise<void> {
  const r = await client.query<{ n: number; last: number; bytes: string }>(
    'SELECT count(*)::int AS n, coalesce(max(chunk_no), -1) AS last, coalesce(sum(length(data)), 0)::bigint AS bytes FROM media_chunks WHERE object_id = $1',
    [id],
  );
  const { n, last, bytes } = r.rows[0]!;
  if (n < o.chunkCount || last < o.chunkCount - 1) {
    const missing = await client.query<{ i: number }>(
      `SELECT i FROM generate_series(0, $2::int - 1) AS i
        WHERE NOT EXISTS (SELECT 1 FROM media_chunks WHERE object_id = $1 AND chunk_no = i) ORDER BY i LIMIT 1`,
      [id, o.chunkCount],
    );
    const first = missing.rows[0]?.i ?? last + 1;
    throw new MediaIntegrityError(o.key, 'missing-chunk', `chunk ${first + 1} of ${o.chunkCount} is missing (${n} of ${o.chunkCount} are there)`);
  }
  if (n > o.chunkCount || last > o.chunkCount - 1) {
    throw new MediaIntegrityError(o.key, 'extra-chunk', `it has ${n} chunks where ${o.chunkCount} were written`);
  }
  if (Number(bytes) !== o.bytes) throw new MediaIntegrityError(o.key, 'size', `its chunks hold ${bytes} bytes where ${o.bytes} were written`);
}

function chunkSource(client: pg.PoolClient, id: string): ChunkSource {
  return {
    chunk: async (index) => {
      // As base64 text: node-postgres reads results as text only, and base64 is 4/3 of the bytes where bytea's hex
      // output is twice (about 1.7 times the read speed measured). Node's decoder skips the line breaks encode() adds.
      const r = await client.query<{ data: string; sha256: Buffer }>(
        "SELECT encode(data, 'base64') AS data, sha256 FROM media_chunks WHERE object_id = $1 AND chunk_no = $2",
        [id, index],
      );
      const row = r.rows[0];
      return row === undefined ? null : { data: Buffer.from(row.data, 'base64'), sha256: row.sha256 };
    },
    close: () => rollbackAndRelease(client), // read-only: nothing to keep
  };
}

export async function readObject(pool: pg.Pool, key: string): Promise<MediaRead> {
  const client = await checkout(pool);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // A stream left neither read nor destroyed would keep its snapshot open, holding back vacuum for every table of
    // the database: the server ends the session after 10 idle minutes (the stream then fails at its next read).
    await client.query("SET LOCAL idle_in_transaction_session_timeout = '10min'");
    const found = await client.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM media_objects WHERE key = $1 AND completed_ms IS NOT NULL`, [key]);
    const row = found.rows[0];
    if (row === undefined) throw new MediaNotFoundError(key);
    const written = writtenOf(row);
    checkWrittenObject(written);
    await checkChunks(client, row.id, written);
    return { info: infoOf(row), stream: verifiedStream(written, chunkSource(client, row.id)) };
  } catch (e) {
    await rollbackAndRelease(client);
    throw e;
  }
}
