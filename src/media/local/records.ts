/**
 * The local backend's files, in a job's folder (today's layout: `<dataDir>/jobs/<jobId>/`, beside the files the bot
 * downloads there):
 *   <role>.<nonce>.media     the object's bytes, written once and never changed (a new put writes a new file)
 *   <role>.media.json        its record: which data file, size, SHA-256 of the whole and of each chunk. The record is
 *                            written to a temporary file and renamed into place: that rename is the moment the object
 *                            (or its replacement) becomes visible.
 *   <role>.media.json.<nonce>.tmp   a record being written
 * A data file no record names is what a failed or crashed writer left: sweepIncomplete removes it after the grace time.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MediaIntegrityError } from '../errors.js';
import { MEDIA_ROLES, type MediaRole } from '../media-key.js';
import type { MediaObjectInfo } from '../media-store.js';
import type { WrittenObject } from '../verified-stream.js';

export interface LocalRecord {
  readonly version: 1;
  readonly key: string;
  /** The data file's name in the job's folder. */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly chunkBytes: number;
  readonly chunkSha256: readonly string[];
  readonly storedMs: number;
}

export const recordName = (role: MediaRole): string => `${role}.media.json`;
export const dataName = (role: MediaRole, nonce: string): string => `${role}.${nonce}.media`;
const ROLES = MEDIA_ROLES.join('|');
export const DATA_FILE = new RegExp(`^(${ROLES})\\.[0-9a-f]+\\.media$`);
/** Any file of the media store's (data, record, record being written). */
export const MEDIA_FILE = new RegExp(`^(${ROLES})\\.(?:[0-9a-f]+\\.media|media\\.json(?:\\.[0-9a-f]+\\.tmp)?)$`);
export const TEMPORARY_RECORD = new RegExp(`^(${ROLES})\\.media\\.json\\.[0-9a-f]+\\.tmp$`);
export const RECORD_FILE = new RegExp(`^(${ROLES})\\.media\\.json$`);

const HEX64 = /^[0-9a-f]{64}$/;

function valid(r: Partial<LocalRecord>, key: string): r is LocalRecord {
  return (
    r.version === 1 &&
    r.key === key &&
    typeof r.file === 'string' &&
    DATA_FILE.test(r.file) &&
    Number.isSafeInteger(r.bytes) &&
    r.bytes! >= 0 &&
    typeof r.sha256 === 'string' &&
    HEX64.test(r.sha256) &&
    Number.isSafeInteger(r.chunkBytes) &&
    r.chunkBytes! > 0 &&
    Array.isArray(r.chunkSha256) &&
    r.chunkSha256.every((h) => typeof h === 'string' && HEX64.test(h)) &&
    typeof r.storedMs === 'number'
  );
}

/** The record, or null when there is none; MediaIntegrityError when it is there but unreadable. */
export async function readRecord(dir: string, role: MediaRole, key: string): Promise<LocalRecord | null> {
  let text: string;
  try {
    text = await readFile(join(dir, recordName(role)), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let parsed: Partial<LocalRecord>;
  try {
    parsed = JSON.parse(text) as Partial<LocalRecord>;
  } catch {
    throw new MediaIntegrityError(key, 'record', `its record ${recordName(role)} is not valid JSON`);
  }
  if (!valid(parsed, key)) throw new MediaIntegrityError(key, 'record', `its record ${recordName(role)} is incomplete or not for this key`);
  return parsed;
}

/** fsync of a folder, so a rename in it survives a power cut (not every system allows it; then the rename is as durable as it gets). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // EISDIR/EPERM/EINVAL on systems that cannot fsync a folder
  }
}

/** Writes the record beside its final name, fsyncs it, renames it into place: the object is visible from here on. */
export async function commitRecord(dir: string, role: MediaRole, record: LocalRecord, nonce: string): Promise<void> {
  const temporary = join(dir, `${recordName(role)}.${nonce}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, join(dir, recordName(role)));
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
  await syncDir(dir);
}

export function infoOfRecord(r: LocalRecord, jobId: string, role: MediaRole): MediaObjectInfo {
  return { key: r.key, jobId, role, bytes: r.bytes, sha256: r.sha256, storedMs: r.storedMs };
}

export function writtenOfRecord(r: LocalRecord): WrittenObject {
  return { key: r.key, bytes: r.bytes, sha256: r.sha256, chunkBytes: r.chunkBytes, chunkCount: r.chunkSha256.length };
}
