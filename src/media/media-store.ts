/**
 * The media store: members' inputs (the photo, the driving video) and results (the clip), by key
 * (`<jobId>/photo`, `<jobId>/driving`, `<jobId>/result`, see media-key.ts), so that the bot host and worker hosts can
 * hand them to each other without a shared disk. Two backends: local files under the data folder (one machine, the
 * default) and PostgreSQL (several hosts: the deployment already runs it). docs/media-store.md says more.
 *
 * Guarantees, the same for both backends:
 * - Streamed both ways, chunk by chunk: memory stays flat whatever the size of the object.
 * - Atomic: an object is visible only once all of it is stored; a write that fails or crashes leaves nothing a reader
 *   sees (what it left is removed by `sweepIncomplete`). Putting a key again replaces the object in one step.
 * - Verified on read: every chunk against its SHA-256 before it is passed on, the sizes, and the whole object's
 *   SHA-256 before the end. A damaged object fails with MediaIntegrityError, never a short or wrong file.
 */
import type { Readable } from 'node:stream';
import type { MediaRole } from './media-key.js';

export interface MediaObjectInfo {
  readonly key: string;
  readonly jobId: string;
  readonly role: MediaRole;
  readonly bytes: number;
  /** SHA-256 of the whole object, lowercase hex (the job store's input hashes are the same). */
  readonly sha256: string;
  /** When the object became visible (epoch ms). */
  readonly storedMs: number;
}

/** What put() reads: a stream or any async iterable of bytes (read once, chunk by chunk), or a file by path. */
export type MediaSource = AsyncIterable<Uint8Array | string> | { readonly path: string };

export interface PutOptions {
  /** Refuse (MediaIntegrityError 'input', nothing stored) unless the input has this size… */
  readonly expectedBytes?: number;
  /** …and this SHA-256 (hex), e.g. what was computed when the attachment was downloaded. */
  readonly expectedSha256?: string;
}

/** An object being read: what was written (size, SHA-256), and its bytes as they are verified. */
export interface MediaRead {
  readonly info: MediaObjectInfo;
  readonly stream: Readable;
}

export type MediaBackend = 'local' | 'postgres';

export interface MediaStore {
  readonly backend: MediaBackend;
  /** Stores the object, replacing any object under the key once the new one is complete. */
  put(key: string, source: MediaSource, options?: PutOptions): Promise<MediaObjectInfo>;
  /** The object's size and checksum, or null when there is none. Reads no data. */
  stat(key: string): Promise<MediaObjectInfo | null>;
  /** A job's stored objects. */
  list(jobId: string): Promise<MediaObjectInfo[]>;
  /**
   * The object as a stream, verified as it flows: it fails with MediaIntegrityError (instead of ending) at the first
   * chunk that is missing or wrong, before passing that chunk on. Throws MediaNotFoundError when there is no object.
   * Consume or destroy the stream: it holds a file handle or a database connection until then.
   */
  read(key: string): Promise<MediaRead>;
  /** Writes the object to `path` (replacing a file there) only once all of it is written and verified; never a partial file. */
  readToFile(key: string, path: string): Promise<MediaObjectInfo>;
  /** Deletes the object (and any write of it in progress). Returns whether a complete object was there. Idempotent. */
  delete(key: string): Promise<boolean>;
  /** Deletes all of a job's objects (retention, forget-me), writes in progress included. Returns how many complete ones went. */
  deleteJob(jobId: string): Promise<number>;
  /**
   * The jobs with any object (complete or not) stored before `beforeMs` (epoch ms): for the job store's sweep, which
   * deletes the objects of jobs it has no row for (a command that crashed between storing its inputs and queueing).
   */
  jobsStoredBefore(beforeMs: number): Promise<string[]>;
  /** Removes what writers that crashed or vanished left (never visible) once it is older than `olderThanMs`. Returns how many. */
  sweepIncomplete(olderThanMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** 1 MiB: a chunk is one database row (or one verified read of a local file). */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
export const MIN_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/** An incomplete object younger than this may still be being written: sweepIncomplete leaves it. */
export const DEFAULT_INCOMPLETE_GRACE_MS = 60 * 60 * 1000;
