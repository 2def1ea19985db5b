/**
 * Memory stays flat and the speed is sane: a large object written from a stream, read back as a stream and into a
 * file, through each backend. Two measures of memory: what is still alive halfway through a write and a read (after
 * a full garbage collection: holding the object, or the chunks so far, would show as tens of MB), which the test
 * asserts; and this process's resident memory sampled every 5 ms, which also counts garbage not yet collected, so it
 * is reported only. The test uses 64 MB; `npm run bench:media` runs it at 200 MB, three times,
 * and writes the figures to data/bench/media.json.
 *   MARIONETTE_MEDIA_BENCH_MB   object size (default 64)
 *   MARIONETTE_MEDIA_BENCH_RUNS runs per backend (default 1)
 *   MARIONETTE_MEDIA_REPORT     write the figures to this JSON file
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { mediaKey, type MediaStore } from '../../src/media/index.js';
import { tempDir } from '../support/temp-dir.js';
import { BACKENDS, newJobId } from './helpers.js';

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env['MARIONETTE_MEDIA_BENCH_MB'] ?? 64);
const RUNS = Number(process.env['MARIONETTE_MEDIA_BENCH_RUNS'] ?? 1);
const REPORT = process.env['MARIONETTE_MEDIA_REPORT'];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * MB alive in this process (JavaScript heap and buffers) after full garbage collections; the pause between them
 * lets V8 finish freeing buffers' memory, which it does after the collection itself.
 */
async function liveMb(): Promise<number> {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / MB;
}

/**
 * `total` bytes, 256 KiB at a time, each piece different (a counter in its first bytes), made as they are asked for;
 * calls `halfway` when half has been handed over.
 */
async function* generated(total: number, digest: ReturnType<typeof createHash>, halfway: () => Promise<void>): AsyncGenerator<Buffer> {
  const block = randomBytes(256 * 1024);
  for (let at = 0, n = 0; at < total; at += block.length, n += 1) {
    const piece = Buffer.from(block.subarray(0, Math.min(block.length, total - at)));
    piece.writeUInt32LE(n, 0);
    digest.update(piece);
    if (at === Math.floor(total / 2 / block.length) * block.length) await halfway();
    yield piece;
  }
}

/** Runs `fn` while sampling resident memory every 5 ms; returns its result, seconds and the peak growth in MB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakGrowthMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const start = performance.now();
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds: (performance.now() - start) / 1000, peakGrowthMb: (peak - base) / MB };
  } finally {
    clearInterval(timer);
  }
}

interface Figures {
  backend: string;
  mb: number;
  writeMbPerS: number;
  readMbPerS: number;
  readToFileMbPerS: number;
  peakGrowthMb: { write: number; read: number; readToFile: number };
  liveHalfwayMb: { write: number; read: number };
}

async function oneRun(store: MediaStore, backend: string): Promise<Figures> {
  const bytes = SIZE_MB * MB;
  const key = mediaKey(newJobId(), 'result');
  const sent = createHash('sha256');
  const base = await liveMb();
  let liveWrite = 0;
  const write = await measured(() =>
    store.put(
      key,
      generated(bytes, sent, async () => void (liveWrite = (await liveMb()) - base)),
    ),
  );
  expect(write.result.sha256).toBe(sent.digest('hex'));
  let liveRead = 0;
  const readBase = await liveMb(); // the write's connections keep their grown buffers: count from here
  const read = await measured(async () => {
    const got = createHash('sha256');
    let seen = 0;
    for await (const chunk of (await store.read(key)).stream) {
      got.update(chunk as Buffer);
      seen += (chunk as Buffer).length;
      if (liveRead === 0 && seen >= bytes / 2) liveRead = (await liveMb()) - readBase;
    }
    return got.digest('hex');
  });
  expect(read.result).toBe(write.result.sha256);
  const file = join(tempDir(), 'clip.mp4');
  const toFile = await measured(() => store.readToFile(key, file));
  expect(statSync(file).size).toBe(bytes);
  await store.delete(key);
  const rate = (s: number) => Math.round(SIZE_MB / s);
  const growth = (g: number) => Math.round(g);
  return {
    backend,
    mb: SIZE_MB,
    writeMbPerS: rate(write.seconds),
    readMbPerS: rate(read.seconds),
    readToFileMbPerS: rate(toFile.seconds),
    peakGrowthMb: { write: growth(write.peakGrowthMb), read: growth(read.peakGrowthMb), readToFile: growth(toFile.peakGrowthMb) },
    liveHalfwayMb: { write: Math.round(liveWrite * 10) / 10, read: Math.round(liveRead * 10) / 10 },
  };
}

const figures: Figures[] = [];

describe.each(BACKENDS)('the $name media store with a large object', (backend) => {
  it(`streams ${SIZE_MB} MB in and out with flat memory`, async () => {
    const store = await backend.open();
    for (let run = 0; run < RUNS; run += 1) {
      const f = await oneRun(store, backend.name);
      figures.push(f);
      console.log(`media ${JSON.stringify(f)}`);
      // Halfway, a bug that keeps what went by holds SIZE_MB / 2. The store holds a chunk or two (1 MiB each), and each
      // database connection it used keeps a receive buffer the size of a chunk's message.
      // Resident memory is reported, not asserted: it also counts chunks already dropped but not yet collected.
      for (const live of Object.values(f.liveHalfwayMb)) expect(live).toBeLessThan(SIZE_MB / 4);
    }
    if (REPORT) {
      mkdirSync(dirname(REPORT), { recursive: true });
      writeFileSync(REPORT, JSON.stringify({ machine: `${process.platform} ${process.arch}`, node: process.version, runs: figures }, null, 2));
    }
  });
});
