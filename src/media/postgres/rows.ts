/** media_objects rows as they come back from node-postgres (bigint arrives as a string), and as MediaObjectInfo. */
import type { MediaRole } from '../media-key.js';
import type { MediaObjectInfo } from '../media-store.js';
import type { WrittenObject } from '../verified-stream.js';

export interface ObjectRow {
  readonly id: string;
  readonly key: string;
  readonly job_id: string;
  readonly role: MediaRole;
  readonly chunk_bytes: number;
  readonly completed_ms: string;
  readonly bytes: string;
  readonly chunk_count: number;
  readonly sha256: Buffer;
}

export const OBJECT_COLUMNS = 'id, key, job_id, role, chunk_bytes, completed_ms, bytes, chunk_count, sha256';

export function infoOf(row: ObjectRow): MediaObjectInfo {
  return { key: row.key, jobId: row.job_id, role: row.role, bytes: Number(row.bytes), sha256: row.sha256.toString('hex'), storedMs: Number(row.completed_ms) };
}

export function writtenOf(row: ObjectRow): WrittenObject {
  return { key: row.key, bytes: Number(row.bytes), sha256: row.sha256.toString('hex'), chunkBytes: row.chunk_bytes, chunkCount: row.chunk_count };
}

/** Whether an error is PostgreSQL's foreign-key violation (a chunk whose object row is gone). */
export const isForeignKeyViolation = (e: unknown): boolean => (e as { code?: string }).code === '23503';
