/** The local media store: files under the data folder, for one machine (the default with the SQLite job store). */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkLength, fixedChunks, ObjectDigest, sha256 } from '../chunks.js';
import { MediaIntegrityError, MediaNotFoundError, MediaWriteAbortedError } from '../errors.js';
import { checkJobId, isKeyJobId, MEDIA_ROLES, mediaKey, parseMediaKey, type MediaRole } from '../media-key.js';
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
import { checkWrittenObject, verifiedStream, type ChunkSource } from '../verified-stream.js';
import {
  commitRecord,
  DATA_FILE,
  MEDIA_FILE,
  dataName,
  infoOfRecord,
  readRecord,
  recordName,
  TEMPORARY_RECORD,
  writtenOfRecord,
  type LocalRecord,
} from './records.js';

export interface LocalMediaOptions {
  /** The folder of job folders: `<dataDir>/jobs` (LocalMediaStore.forDataDir). */
  readonly root: string;
  /** Bytes per verified chunk of new objects (64 KiB to 16 MiB, default 1 MiB). */
  readonly chunkBytes?: number;
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Writes the data file chunk by chunk (fsynced) and returns the checksums for its record. */
async function writeData(path: string, source: MediaSource, chunkBytes: number): Promise<{ digest: ObjectDigest; chunkSha256: string[] }> {
  const digest = new ObjectDigest();
  const chunkSha256: string[] = [];
  const handle = await open(path, 'wx');
  try {
    for await (const chunk of fixedChunks(source, chunkBytes)) {
      for (let done = 0; done < chunk.length;) done += (await handle.write(chunk, done, chunk.length - done, digest.bytes + done)).bytesWritten;
      digest.add(chunk);
      chunkSha256.push(sha256(chunk).toString('hex'));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { digest, chunkSha256 };
}

function chunkSource(handle: FileHandle, r: LocalRecord): ChunkSource {
  return {
    chunk: async (index) => {
      const length = chunkLength(r.bytes, r.chunkBytes, index);
      const data = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(data, got, length - got, index * r.chunkBytes + got);
        if (bytesRead === 0) break; // the file was cut after it was opened: the chunk's length check reports it
        got += bytesRead;
      }
      return { data: data.subarray(0, got), sha256: Buffer.from(r.chunkSha256[index]!, 'hex') };
    },
    close: () => handle.close(),
  };
}

export class LocalMediaStore implements MediaStore {
  readonly backend = 'local' as const;
  readonly root: string;
  readonly chunkBytes: number;

  constructor(options: LocalMediaOptions) {
    this.root = options.root;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < MIN_CHUNK_BYTES || this.chunkBytes > MAX_CHUNK_BYTES) {
      throw new RangeError(`The media chunk size must be a whole number of bytes from ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES}, not ${this.chunkBytes}.`);
    }
  }

  /** Objects in today's job folders, `<dataDir>/jobs/<jobId>/`. */
  static forDataDir(dataDir: string, options: Omit<LocalMediaOptions, 'root'> = {}): LocalMediaStore {
    return new LocalMediaStore({ ...options, root: join(dataDir, 'jobs') });
  }

  private dir(jobId: string): string {
    return join(this.root, checkJobId(jobId));
  }

  async put(key: string, source: MediaSource, options: PutOptions = {}): Promise<MediaObjectInfo> {
    const { jobId, role } = parseMediaKey(key);
    const dir = this.dir(jobId);
    await mkdir(dir, { recursive: true });
    const nonce = randomBytes(6).toString('hex');
    const file = dataName(role, nonce);
    try {
      const { digest, chunkSha256 } = await writeData(join(dir, file), source, this.chunkBytes);
      const hex = digest.finish(key, options);
      const previous = await readRecord(dir, role, key).catch(() => null);
      const record: LocalRecord = { version: 1, key, file, bytes: digest.bytes, sha256: hex, chunkBytes: this.chunkBytes, chunkSha256, storedMs: Date.now() };
      await commitRecord(dir, role, record, nonce);
      await this.checkNotDeleted(dir, role, record);
      if (previous !== null && previous.file !== file) await rm(join(dir, previous.file), { force: true });
      return infoOfRecord(record, jobId, role);
    } catch (e) {
      await rm(join(dir, file), { force: true });
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dir)) throw new MediaWriteAbortedError(key);
      throw e;
    }
  }

  /** A delete() or deleteJob() that ran during the write removed its data file: take back the record that names it. */
  private async checkNotDeleted(dir: string, role: MediaRole, record: LocalRecord): Promise<void> {
    if (existsSync(join(dir, record.file))) return;
    const now = await readRecord(dir, role, record.key).catch(() => null);
    if (now?.file === record.file) await rm(join(dir, recordName(role)), { force: true });
    throw new MediaWriteAbortedError(record.key);
  }

  async stat(key: string): Promise<MediaObjectInfo | null> {
    const { jobId, role } = parseMediaKey(key);
    const r = await readRecord(this.dir(jobId), role, key);
    return r === null ? null : infoOfRecord(r, jobId, role);
  }

  async list(jobId: string): Promise<MediaObjectInfo[]> {
    const found = await Promise.all(MEDIA_ROLES.map((role) => this.stat(mediaKey(jobId, role))));
    return found.filter((i): i is MediaObjectInfo => i !== null).sort((a, b) => a.key.localeCompare(b.key));
  }

  async read(key: string): Promise<MediaRead> {
    const { jobId, role } = parseMediaKey(key);
    const dir = this.dir(jobId);
    for (let attempt = 1; ; attempt += 1) {
      const record = await readRecord(dir, role, key);
      if (record === null) throw new MediaNotFoundError(key);
      const written = writtenOfRecord(record);
      checkWrittenObject(written);
      let handle: FileHandle;
      try {
        handle = await open(join(dir, record.file), 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        // Replaced (or deleted) between reading the record and opening its file? Then read the new one.
        const now = await readRecord(dir, role, key).catch(() => record);
        if (now === null) throw new MediaNotFoundError(key);
        if (now.file !== record.file && attempt < 3) continue;
        throw new MediaIntegrityError(key, 'record', `its data file ${record.file} is missing`);
      }
      const { size } = await handle.stat();
      if (size !== record.bytes) {
        await handle.close();
        throw new MediaIntegrityError(key, 'size', `its file ${record.file} holds ${size} bytes where ${record.bytes} were written`);
      }
      return { info: infoOfRecord(record, jobId, role), stream: verifiedStream(written, chunkSource(handle, record)) };
    }
  }

  async readToFile(key: string, path: string): Promise<MediaObjectInfo> {
    const { info, stream } = await this.read(key);
    await streamToFile(stream, path);
    return info;
  }

  async delete(key: string): Promise<boolean> {
    const { jobId, role } = parseMediaKey(key);
    const dir = this.dir(jobId);
    const existed = await readRecord(dir, role, key).then(
      (r) => r !== null,
      () => true, // an unreadable record is still an object to delete
    );
    await rm(join(dir, recordName(role)), { force: true }); // from here on the object is gone
    await removeFiles(dir, (name) => name.startsWith(`${role}.`) && (DATA_FILE.test(name) || TEMPORARY_RECORD.test(name)));
    return existed;
  }

  async deleteJob(jobId: string): Promise<number> {
    const dir = this.dir(jobId);
    let deleted = 0;
    // Twice: a write that committed while the first pass ran is caught by the second (or aborts itself).
    for (let pass = 0; pass < 2; pass += 1) {
      for (const role of MEDIA_ROLES) if (await this.delete(mediaKey(jobId, role))) deleted += 1;
    }
    await rmdir(dir).catch(() => undefined); // only if empty: the bot's own files in the job's folder stay
    return deleted;
  }

  async jobsStoredBefore(beforeMs: number): Promise<string[]> {
    const jobs = (await readdir(this.root).catch(() => [] as string[])).filter(isKeyJobId).sort();
    const found: string[] = [];
    for (const jobId of jobs) {
      // The media files only: the bot's own files may share the job's folder.
      const names = (await readdir(this.dir(jobId)).catch(() => [] as string[])).filter((n) => MEDIA_FILE.test(n));
      const times = await Promise.all(
        names.map((n) =>
          stat(join(this.dir(jobId), n)).then(
            (i) => i.mtimeMs,
            () => Infinity,
          ),
        ),
      );
      if (times.some((t) => t < beforeMs)) found.push(jobId);
    }
    return found;
  }

  async sweepIncomplete(olderThanMs = DEFAULT_INCOMPLETE_GRACE_MS): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    const jobs = await readdir(this.root).catch(() => [] as string[]);
    let removed = 0;
    for (const jobId of jobs.filter(isKeyJobId)) removed += await this.sweepJob(join(this.root, jobId), jobId, cutoff);
    return removed;
  }

  private async sweepJob(dir: string, jobId: string, cutoff: number): Promise<number> {
    const keep = new Set<string>();
    const unsure = new Set<string>(); // roles whose record cannot be read: leave their files for a person to look at
    for (const role of MEDIA_ROLES) {
      await readRecord(dir, role, mediaKey(jobId, role)).then(
        (r) => r && keep.add(r.file),
        () => unsure.add(role),
      );
    }
    const names = await readdir(dir).catch(() => [] as string[]);
    const stale = async (name: string) => (await stat(join(dir, name)).catch(() => null))?.mtimeMs ?? Infinity;
    let removed = 0;
    for (const name of names) {
      const role = name.slice(0, name.indexOf('.'));
      const leftover = (DATA_FILE.test(name) && !keep.has(name) && !unsure.has(role)) || TEMPORARY_RECORD.test(name);
      if (leftover && (await stale(name)) < cutoff) {
        await rm(join(dir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async close(): Promise<void> {}
}

async function removeFiles(dir: string, which: (name: string) => boolean): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter(which).map((name) => rm(join(dir, name), { force: true })));
}
