/** The PostgreSQL media store: objects in 1 MiB `bytea` chunks, so any host that reaches the database reaches the media. */
import pg from 'pg';
import { checkJobId, parseMediaKey } from '../media-key.js';
import {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_INCOMPLETE_GRACE_MS,
  MAX_CHUNK_BYTES,
  MIN_CHUNK_BYTES,
  type MediaObjectInfo,
  type MediaRead,
  type MediaSource,
  type MediaStore,
  type PutOptions,
} from '../media-store.js';
import { streamToFile } from '../to-file.js';
import { migrateMedia, NOW_MS } from './migrations.js';
import { readObject } from './reader.js';
import { infoOf, OBJECT_COLUMNS, type ObjectRow } from './rows.js';
import { putObject } from './writer.js';

export interface PostgresMediaOptions {
  /** A pool the caller owns (e.g. the job store's), or a connection string for a pool of the store's own. */
  readonly pool?: pg.Pool;
  readonly connectionString?: string;
  /** Bytes per chunk (row) of new objects, from 64 KiB to 16 MiB; objects already stored keep theirs. Default 1 MiB. */
  readonly chunkBytes?: number;
  /** Connections of the store's own pool (default 10). */
  readonly maxConnections?: number;
}

export class PostgresMediaStore implements MediaStore {
  readonly backend = 'postgres' as const;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    readonly chunkBytes: number,
  ) {}

  /** Connects, brings the media tables to this build's schema (or refuses a newer one), and returns the store. */
  static async open(options: PostgresMediaOptions): Promise<PostgresMediaStore> {
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
      throw new RangeError(`The media chunk size must be a whole number of bytes from ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES}, not ${chunkBytes}.`);
    }
    if (!options.pool && !options.connectionString) throw new TypeError('PostgresMediaStore.open needs a pool or a connection string.');
    const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
    // An idle connection that the server drops (a restart) is discarded by the pool; without a listener it would crash the process.
    if (!options.pool) pool.on('error', () => undefined);
    try {
      await migrateMedia(pool);
    } catch (e) {
      if (!options.pool) await pool.end();
      throw e;
    }
    return new PostgresMediaStore(pool, !options.pool, chunkBytes);
  }

  async put(key: string, source: MediaSource, options: PutOptions = {}): Promise<MediaObjectInfo> {
    return putObject(this.pool, key, source, this.chunkBytes, options);
  }

  async stat(key: string): Promise<MediaObjectInfo | null> {
    parseMediaKey(key);
    const r = await this.pool.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM media_objects WHERE key = $1 AND completed_ms IS NOT NULL`, [key]);
    return r.rows[0] ? infoOf(r.rows[0]) : null;
  }

  async list(jobId: string): Promise<MediaObjectInfo[]> {
    const r = await this.pool.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM media_objects WHERE job_id = $1 AND completed_ms IS NOT NULL ORDER BY key`, [
      checkJobId(jobId),
    ]);
    return r.rows.map(infoOf);
  }

  async read(key: string): Promise<MediaRead> {
    parseMediaKey(key);
    return readObject(this.pool, key);
  }

  async readToFile(key: string, path: string): Promise<MediaObjectInfo> {
    const { info, stream } = await this.read(key);
    await streamToFile(stream, path);
    return info;
  }

  async delete(key: string): Promise<boolean> {
    parseMediaKey(key);
    const r = await this.pool.query<{ completed_ms: string | null }>('DELETE FROM media_objects WHERE key = $1 RETURNING completed_ms', [key]);
    return r.rows.some((row) => row.completed_ms !== null);
  }

  async deleteJob(jobId: string): Promise<number> {
    const r = await this.pool.query<{ completed_ms: string | null }>('DELETE FROM media_objects WHERE job_id = $1 RETURNING completed_ms', [checkJobId(jobId)]);
    return r.rows.filter((row) => row.completed_ms !== null).length;
  }

  async jobsStoredBefore(beforeMs: number): Promise<string[]> {
    const r = await this.pool.query<{ job_id: string }>('SELECT DISTINCT job_id FROM media_objects WHERE started_ms < $1 ORDER BY job_id', [beforeMs]);
    return r.rows.map((row) => row.job_id);
  }

  async sweepIncomplete(olderThanMs = DEFAULT_INCOMPLETE_GRACE_MS): Promise<number> {
    const r = await this.pool.query(`DELETE FROM media_objects WHERE completed_ms IS NULL AND started_ms < ${NOW_MS} - $1`, [olderThanMs]);
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
