/**
 * The media store, both backends through the same tests: round trips with checksums, atomic replacement, damage
 * detected (a changed byte, a cut file, a missing chunk) without a wrong byte passed on or a file left behind,
 * concurrent readers, deletion, and a failed writer's partial object never visible.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { MediaIntegrityError, MediaKeyError, MediaNotFoundError, mediaKey, type MediaStore } from '../../src/media/index.js';
import { tempDir } from '../support/temp-dir.js';
import { BACKENDS, drain, newJobId, pieces, random, sha256Hex } from './helpers.js';

const CHUNK = 64 * 1024; // the smallest chunk size: several chunks without big objects

describe.each(BACKENDS)('the $name media store', (backend) => {
  let store: MediaStore;
  beforeAll(async () => {
    store = await backend.open({ chunkBytes: CHUNK });
  });

  describe('round trip', () => {
    it.each([
      ['three and a half chunks', Math.floor(3.5 * CHUNK)],
      ['exactly two chunks', 2 * CHUNK],
      ['one byte', 1],
      ['nothing', 0],
    ])('stores and returns %s, byte for byte, with its size and SHA-256', async (_name, bytes) => {
      const data = random(bytes);
      const key = mediaKey(newJobId(), 'photo');
      const info = await store.put(key, pieces(data, 10_000));
      expect(info).toMatchObject({ key, role: 'photo', bytes, sha256: sha256Hex(data) });
      expect(info.storedMs).toBeGreaterThan(Date.now() - 60_000);
      const { info: readInfo, stream } = await store.read(key);
      expect(readInfo).toEqual(info);
      const { bytes: back, error } = await drain(stream);
      expect(error).toBeNull();
      expect(back.equals(data)).toBe(true);
      expect(await store.stat(key)).toEqual(info);
    });

    it('reads from a file path and writes into a file', async () => {
      const dir = tempDir();
      const data = random(5 * CHUNK + 17);
      await writeFile(join(dir, 'in.mp4'), data);
      const key = mediaKey(newJobId(), 'driving');
      const info = await store.put(key, { path: join(dir, 'in.mp4') }, { expectedBytes: data.length, expectedSha256: sha256Hex(data) });
      await writeFile(join(dir, 'out.mp4'), 'an older file, replaced');
      expect(await store.readToFile(key, join(dir, 'out.mp4'))).toEqual(info);
      expect((await readFile(join(dir, 'out.mp4'))).equals(data)).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['in.mp4', 'out.mp4']); // no temporary file left
    });

    it('accepts a Node Readable and strings', async () => {
      const key = mediaKey(newJobId(), 'result');
      await store.put(key, Readable.from(['hello ', Buffer.from('world')]));
      expect((await drain((await store.read(key)).stream)).bytes.toString()).toBe('hello world');
    });

    it("lists a job's objects", async () => {
      const job = newJobId();
      for (const role of ['result', 'photo'] as const) await store.put(mediaKey(job, role), pieces(random(100)));
      expect((await store.list(job)).map((i) => i.role)).toEqual(['photo', 'result']);
      expect(await store.list(newJobId())).toEqual([]);
    });

    it('replaces an object in one step, leaving nothing of the old one', async () => {
      const job = newJobId();
      const key = mediaKey(job, 'result');
      await store.put(key, pieces(random(3 * CHUNK)));
      const leftBefore = await backend.backdoor.leftovers(job);
      const second = random(2 * CHUNK + 5);
      const info = await store.put(key, pieces(second));
      expect(info.sha256).toBe(sha256Hex(second));
      expect((await drain((await store.read(key)).stream)).bytes.equals(second)).toBe(true);
      // Local: one record and one data file either way; PostgreSQL: one object row and its chunks (3 before, 3 now).
      expect(await backend.backdoor.leftovers(job)).toBe(leftBefore);
    });
  });

  describe('refusals', () => {
    it('refuses an input that is not what the caller said, and keeps the object it would have replaced', async () => {
      const job = newJobId();
      const key = mediaKey(job, 'photo');
      const kept = await store.put(key, pieces(random(1000)));
      const data = random(2 * CHUNK);
      const wrongSum = store.put(key, pieces(data), { expectedSha256: sha256Hex(random(10)) });
      await expect(wrongSum).rejects.toThrow(MediaIntegrityError);
      await expect(wrongSum).rejects.toThrow(`Media ${key} was not stored: the input's SHA-256 is ${sha256Hex(data)} where`);
      await expect(store.put(key, pieces(data), { expectedBytes: 5 })).rejects.toThrow(/the input is 131072 bytes where 5 were expected/);
      expect(await store.stat(key)).toEqual(kept);
      expect(await backend.backdoor.leftovers(job)).toBe(2); // its record and file / its row and chunk
    });

    it('refuses keys that are not a job id and a role', async () => {
      for (const key of ['../x/photo', 'abc/thumbnail', 'ABC/photo', 'abc', 'abc/photo/x', '']) {
        await expect(store.put(key, pieces(random(1)))).rejects.toThrow(MediaKeyError);
        await expect(store.read(key)).rejects.toThrow(MediaKeyError);
      }
      expect(() => mediaKey('a/b', 'photo')).toThrow(/is not a media key/);
    });

    it('says when there is no such object, and writes no file', async () => {
      const key = mediaKey(newJobId(), 'photo');
      expect(await store.stat(key)).toBeNull();
      await expect(store.read(key)).rejects.toThrow(MediaNotFoundError);
      await expect(store.read(key)).rejects.toThrow(`No media ${key} is stored`);
      const dir = tempDir();
      await expect(store.readToFile(key, join(dir, 'out'))).rejects.toThrow(MediaNotFoundError);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  describe('damage', () => {
    const stored = async (chunks = 4) => {
      const data = random(chunks * CHUNK - 100);
      const key = mediaKey(newJobId(), 'driving');
      await store.put(key, pieces(data));
      return { key, data };
    };

    it('a changed byte: the stream fails at that chunk, having passed on only the verified chunks before it', async () => {
      const { key, data } = await stored();
      await backend.backdoor.flipByte(key, 2 * CHUNK + 10);
      const { bytes, error } = await drain((await store.read(key)).stream);
      expect(error).toBeInstanceOf(MediaIntegrityError);
      expect((error as MediaIntegrityError).problem).toBe('chunk-checksum');
      expect((error as Error).message).toBe(`Stored media ${key} is damaged: chunk 3 of 4 does not match its SHA-256.`);
      expect(bytes.equals(data.subarray(0, 2 * CHUNK))).toBe(true);
    });

    it('a changed byte whose chunk checksum was changed too: the whole SHA-256 fails the stream before it ends', async () => {
      const { key } = await stored();
      await backend.backdoor.flipByteAndChunkSum(key, CHUNK + 1);
      const { bytes, error } = await drain((await store.read(key)).stream);
      expect((error as MediaIntegrityError).problem).toBe('checksum');
      expect((error as Error).message).toMatch(new RegExp(`^Stored media ${key} is damaged: its SHA-256 is [0-9a-f]{64} where [0-9a-f]{64} was written\\.$`));
      expect(bytes.length).toBe(4 * CHUNK - 100); // every chunk passed its own check; the end never came
    });

    it('a changed byte: readToFile leaves no file, not even a temporary one', async () => {
      const { key } = await stored();
      await backend.backdoor.flipByte(key, 3 * CHUNK + 1);
      const dir = tempDir();
      await expect(store.readToFile(key, join(dir, 'clip.mp4'))).rejects.toThrow(MediaIntegrityError);
      expect(await readdir(dir)).toEqual([]);
    });

    it('a truncated object fails before its first byte', async () => {
      const { key } = await stored();
      await backend.backdoor.cutEnd(key, 1000);
      const read = store.read(key);
      await expect(read).rejects.toThrow(MediaIntegrityError);
      const message =
        backend.name === 'local'
          ? new RegExp(
              `^Stored media ${key} is damaged: its file driving\\.[0-9a-f]+\\.media holds ${4 * CHUNK - 1100} bytes where ${4 * CHUNK - 100} were written\\.$`,
            )
          : new RegExp(`^Stored media ${key} is damaged: chunk 4 of 4 is missing \\(3 of 4 are there\\)\\.$`);
      await expect(read).rejects.toThrow(message);
      const dir = tempDir();
      await expect(store.readToFile(key, join(dir, 'clip.mp4'))).rejects.toThrow(MediaIntegrityError);
      expect(await readdir(dir)).toEqual([]);
    });

    it.skipIf(backend.backdoor.dropChunk === null)('a chunk missing in the middle is named', async () => {
      const { key } = await stored();
      await backend.backdoor.dropChunk!(key, 1);
      await expect(store.read(key)).rejects.toThrow(`Stored media ${key} is damaged: chunk 2 of 4 is missing (3 of 4 are there).`);
    });
  });

  describe('readers and writers at once', () => {
    it('serves many readers of one object at once, each verified', async () => {
      const data = random(6 * CHUNK + 3);
      const key = mediaKey(newJobId(), 'result');
      await store.put(key, pieces(data));
      const reads = await Promise.all(Array.from({ length: 8 }, async () => drain((await store.read(key)).stream)));
      for (const r of reads) {
        expect(r.error).toBeNull();
        expect(sha256Hex(r.bytes)).toBe(sha256Hex(data));
      }
    });

    it('a reader that started before a replacement or a deletion reads the old object to its end', async () => {
      const key = mediaKey(newJobId(), 'result');
      const old = random(5 * CHUNK);
      await store.put(key, pieces(old));
      const first = await store.read(key);
      const second = await store.read(key);
      const next = random(2 * CHUNK);
      await store.put(key, pieces(next));
      expect(sha256Hex((await drain(first.stream)).bytes)).toBe(sha256Hex(old));
      await store.delete(key);
      const left = await drain(second.stream);
      expect(left.error).toBeNull();
      expect(sha256Hex(left.bytes)).toBe(sha256Hex(old));
    });

    it('writers of one key at once: one of them wins, whole', async () => {
      const job = newJobId();
      const key = mediaKey(job, 'result');
      const inputs = Array.from({ length: 4 }, (_, i) => random((i + 2) * CHUNK + i));
      await Promise.all(inputs.map((data) => store.put(key, pieces(data, 50_000))));
      const { info, stream } = await store.read(key);
      const back = (await drain(stream)).bytes;
      expect(inputs.map((d) => sha256Hex(d))).toContain(info.sha256);
      expect(sha256Hex(back)).toBe(info.sha256);
      // A loser's data file may stay behind on local files until the sweep (docs/media-store.md); then one object is left.
      await store.sweepIncomplete(0);
      const chunks = Math.ceil(info.bytes / CHUNK);
      expect(await backend.backdoor.leftovers(job)).toBe(backend.name === 'local' ? 2 : 1 + chunks);
    });

    it('never shows an object being written, and a failed write leaves nothing', async () => {
      const job = newJobId();
      const key = mediaKey(job, 'photo');
      let fail!: (e: Error) => void;
      const failed = new Promise<never>((_resolve, reject) => (fail = reject));
      let sent = 0;
      let wrote!: () => void;
      const threeChunks = new Promise<void>((resolve) => (wrote = resolve));
      const source = (async function* () {
        for (; sent < 3; sent += 1) yield random(CHUNK);
        wrote();
        yield await failed; // the upload stalls, then breaks
      })();
      const writing = store.put(key, source);
      await threeChunks;
      await new Promise((r) => setTimeout(r, 100)); // the third chunk reaches the store
      expect(await store.stat(key)).toBeNull();
      await expect(store.read(key)).rejects.toThrow(MediaNotFoundError);
      expect(await store.list(job)).toEqual([]);
      expect(await backend.backdoor.leftovers(job)).toBeGreaterThan(0); // it is there, incomplete
      fail(new Error('the connection to the CDN broke'));
      await expect(writing).rejects.toThrow('the connection to the CDN broke');
      expect(await backend.backdoor.leftovers(job)).toBe(0);
    });
  });

  describe('deletion', () => {
    it('deletes by key, idempotently', async () => {
      const job = newJobId();
      const key = mediaKey(job, 'photo');
      await store.put(key, pieces(random(2 * CHUNK)));
      expect(await store.delete(key)).toBe(true);
      expect(await store.delete(key)).toBe(false);
      expect(await store.stat(key)).toBeNull();
      await expect(store.read(key)).rejects.toThrow(MediaNotFoundError);
      expect(await backend.backdoor.leftovers(job)).toBe(0);
    });

    it("deletes a job's objects, and only that job's", async () => {
      const [job, other] = [newJobId(), newJobId()];
      for (const role of ['photo', 'driving', 'result'] as const) await store.put(mediaKey(job, role), pieces(random(CHUNK + 1)));
      await store.put(mediaKey(other, 'photo'), pieces(random(10)));
      expect(await store.deleteJob(job)).toBe(3);
      expect(await store.deleteJob(job)).toBe(0);
      expect(await store.list(job)).toEqual([]);
      expect(await backend.backdoor.leftovers(job)).toBe(0);
      expect((await store.list(other)).length).toBe(1);
      expect(await store.deleteJob(newJobId())).toBe(0); // a job that never had media
    });

    it('a deletion during a write (forget-me) makes the write fail, storing nothing', async () => {
      const job = newJobId();
      const key = mediaKey(job, 'result');
      let go!: () => void;
      const resume = new Promise<void>((resolve) => (go = resolve));
      let wrote!: () => void;
      const oneChunk = new Promise<void>((resolve) => (wrote = resolve));
      const source = (async function* () {
        yield random(CHUNK);
        wrote();
        await resume;
        yield random(CHUNK);
      })();
      const writing = store.put(key, source);
      await oneChunk;
      await new Promise((r) => setTimeout(r, 100));
      await store.deleteJob(job);
      go();
      await expect(writing).rejects.toThrow(`Media ${key} was deleted while it was being written`);
      expect(await store.stat(key)).toBeNull();
      expect(await backend.backdoor.leftovers(job)).toBe(0);
    });
  });

  it('sweeps what a crashed writer left only once it is older than the grace time', async () => {
    // A writer that dies leaves an incomplete object; tests/media/media-crash.test.ts kills a real one.
    const job = newJobId();
    const key = mediaKey(job, 'driving');
    const stalled = (async function* () {
      yield random(CHUNK);
      await new Promise(() => undefined); // never ends, as if the process had died
    })();
    void store.put(key, stalled).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(await store.stat(key)).toBeNull();
    expect(await store.sweepIncomplete(60_000)).toBe(0);
    expect(await backend.backdoor.leftovers(job)).toBeGreaterThan(0);
    expect(await store.sweepIncomplete(0)).toBeGreaterThanOrEqual(1);
    expect(await backend.backdoor.leftovers(job)).toBe(0);
  });
});
