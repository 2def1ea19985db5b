import { only, type Box } from './mp4-streams.js';

/**
 * A track's sample table (`stbl`), reduced to what the intake's checks need, in-process and bounded: how many
 * samples it has, their total duration in the track's timescale, and where the last byte of sample data lies
 * (so a file whose data was cut off is known without decoding). Pure; reads a `moov` payload already in memory.
 */
export interface SampleTable {
  readonly samples: number;
  /** The sum of the samples' durations (stts), in the track's timescale. */
  readonly duration: number;
  /** One past the last byte of sample data, as an offset into the file (0 when the track has no samples). */
  readonly dataEnd: number;
}

/** Samples a table may hold for this reader (ffprobe is asked beyond); a 5-minute 240 fps clip has 72,000. */
export const MAX_TABLE_SAMPLES = 2_000_000;

/** The sample table of `stbl`; null when any of its boxes is missing, duplicated, inconsistent or not the plain kind. */
export function readSampleTable(b: Uint8Array, stbl: Box): SampleTable | null {
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const stts = only(b, stbl, 'stts');
  const stsz = only(b, stbl, 'stsz');
  const stsc = only(b, stbl, 'stsc');
  const stco = only(b, stbl, 'stco');
  const co64 = only(b, stbl, 'co64');
  if (!stts || !stsz || !stsc || (stco === null) === (co64 === null)) return null;
  const timing = readStts(view, stts);
  const sizes = readStsz(view, stsz);
  const chunks = co64 ? readChunkOffsets(view, co64, 8) : readChunkOffsets(view, stco!, 4);
  const runs = readStsc(view, stsc);
  if (!timing || !sizes || !chunks || !runs || timing.samples !== sizes.count) return null;
  const dataEnd = lastDataByte(sizes, chunks, runs);
  return dataEnd === null ? null : { samples: sizes.count, duration: timing.duration, dataEnd };
}

/** stts: (count, delta) runs. */
function readStts(view: DataView, box: Box): { samples: number; duration: number } | null {
  const entries = entryCount(view, box, 8);
  if (entries === null) return null;
  let samples = 0;
  let duration = 0;
  for (let i = 0; i < entries; i++) {
    const count = view.getUint32(box.start + 8 + i * 8);
    samples += count;
    duration += count * view.getUint32(box.start + 12 + i * 8);
    if (samples > MAX_TABLE_SAMPLES) return null;
  }
  return { samples, duration };
}

interface SampleSizes {
  readonly count: number;
  /** The size of sample `i` (0-based). */
  readonly size: (i: number) => number;
}

/** stsz: one size for all, or a table. */
function readStsz(view: DataView, box: Box): SampleSizes | null {
  if (box.length < 12) return null;
  const fixed = view.getUint32(box.start + 4);
  const count = view.getUint32(box.start + 8);
  if (count > MAX_TABLE_SAMPLES) return null;
  if (fixed !== 0) return { count, size: () => fixed };
  if (box.length < 12 + count * 4) return null;
  return { count, size: (i) => view.getUint32(box.start + 12 + i * 4) };
}

/** stco (4-byte) or co64 (8-byte) chunk offsets. */
function readChunkOffsets(view: DataView, box: Box, width: 4 | 8): number[] | null {
  const entries = entryCount(view, box, width);
  if (entries === null) return null;
  const at = (i: number) => box.start + 8 + i * width;
  return Array.from({ length: entries }, (_, i) => (width === 4 ? view.getUint32(at(i)) : Number(view.getBigUint64(at(i)))));
}

interface ChunkRun {
  /** 1-based, as stored. */
  readonly firstChunk: number;
  readonly samplesPerChunk: number;
}

/** stsc: from `firstChunk` on, each chunk holds `samplesPerChunk` samples; first chunks strictly increasing from 1. */
function readStsc(view: DataView, box: Box): ChunkRun[] | null {
  const entries = entryCount(view, box, 12);
  if (entries === null) return null;
  const runs: ChunkRun[] = [];
  for (let i = 0; i < entries; i++) {
    const firstChunk = view.getUint32(box.start + 8 + i * 12);
    const samplesPerChunk = view.getUint32(box.start + 12 + i * 12);
    const previous = runs.at(-1)?.firstChunk ?? 0;
    if (firstChunk <= previous || (i === 0 && firstChunk !== 1)) return null;
    runs.push({ firstChunk, samplesPerChunk });
  }
  return runs;
}

/** A full box's entry count, checked against its length; null when the entries would run past it. */
function entryCount(view: DataView, box: Box, entryBytes: number): number | null {
  if (box.length < 8) return null;
  const entries = view.getUint32(box.start + 4);
  return box.length - 8 >= entries * entryBytes ? entries : null;
}

/**
 * One past the last byte any sample occupies: each chunk's samples lie back to back from its offset. Null when
 * the tables disagree (samples left over after the last chunk, or chunks with none: a file ffmpeg would read
 * its own way).
 */
function lastDataByte(sizes: SampleSizes, chunks: readonly number[], runs: readonly ChunkRun[]): number | null {
  if (sizes.count === 0) return chunks.length === 0 ? 0 : null;
  let sample = 0;
  let end = 0;
  let run = 0;
  for (let chunk = 0; chunk < chunks.length; chunk++) {
    while (run + 1 < runs.length && runs[run + 1]!.firstChunk <= chunk + 1) run += 1;
    const perChunk = runs[run]?.samplesPerChunk ?? 0;
    if (perChunk === 0 || sample + perChunk > sizes.count) return null;
    let bytes = 0;
    for (let i = 0; i < perChunk; i++) bytes += sizes.size(sample + i);
    sample += perChunk;
    end = Math.max(end, chunks[chunk]! + bytes);
  }
  return sample === sizes.count ? end : null;
}
