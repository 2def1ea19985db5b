import { open, type FileHandle } from 'node:fs/promises';
import type { StreamSummary } from './media-info.js';

/**
 * The streams of an MP4/MOV file as ffmpeg's `mov` demuxer would list them without decoding (what
 * `ffprobe -nofind_stream_info` says), read in-process from the file's boxes: one stream per `trak`, its
 * kind from the handler (`hdlr`) and a video track's stored size from its sample description (`stsd`).
 * Phone videos are MP4/MOV, and the listing is the first check of every driving video, so reading it here
 * saves a process (ffprobe costs about 0.2 s of CPU just to start).
 *
 * It answers only for a file it fully understands, and null otherwise — the caller then asks ffprobe as
 * before. Null for: no `moov` or more than one, a compressed or oversized `moov`, a box that runs past its
 * parent or the file, too many boxes, a track whose handler or sample description is not the plain kind,
 * and any cover art (`covr`, which ffmpeg lists as extra attached-picture streams). Everything is bounded:
 * at most MAX_TOP_BOXES top-level headers are read (no data), and `moov` itself at most MAX_MOOV_BYTES.
 */
export const MAX_TOP_BOXES = 1000;
export const MAX_MOOV_BYTES = 16 * 1024 * 1024;
const MAX_TRACKS = 64;

/** ffmpeg's codec_type per track handler; a handler not listed here gives null (ask ffprobe). */
const HANDLER_TYPES: Readonly<Record<string, string>> = {
  vide: 'video',
  soun: 'audio',
  sbtl: 'subtitle',
  subt: 'subtitle',
  text: 'subtitle',
  clcp: 'subtitle',
  tmcd: 'data',
  // Timed metadata (a phone's `mebx` track of camera data).
  meta: 'data',
};

export interface Box {
  readonly type: string;
  /** Offset of the payload (after the header) and its length, within the buffer or file read. */
  readonly start: number;
  readonly length: number;
}

/** Lists the streams of an MP4/MOV file, or null where ffprobe should be asked instead. */
export async function readMp4Streams(path: string): Promise<StreamSummary[] | null> {
  const read = await readMoov(path);
  return read === null || read.cut ? null : streamsOfMoov(read.moov);
}

export interface MoovRead {
  readonly moov: Uint8Array;
  readonly fileSize: number;
  /** A top-level box after `moov` runs past the end of the file: the file was cut off (an upload that stopped). */
  readonly cut: boolean;
}

/** The payload of an MP4/MOV file's one `moov` box, and the file's size; null where the top level is not plain. */
export async function readMoov(path: string): Promise<MoovRead | null> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const found = await findMoov(fh, size);
    if (found === null) return null;
    const bytes = Buffer.alloc(found.box.length);
    const { bytesRead } = await fh.read(bytes, 0, found.box.length, found.box.start);
    return bytesRead === found.box.length ? { moov: bytes, fileSize: size, cut: found.cut } : null;
  } finally {
    await fh.close();
  }
}

/** The one top-level `moov` box, from the box headers alone; null if none, several, or anything odd. */
async function findMoov(fh: FileHandle, size: number): Promise<{ box: Box; cut: boolean } | null> {
  const header = Buffer.alloc(16);
  let moov: Box | null = null;
  let at = 0;
  for (let n = 0; at < size; n++) {
    if (n >= MAX_TOP_BOXES || at + 8 > size) return null;
    const { bytesRead } = await fh.read(header, 0, 16, at);
    const box = boxAt(header.subarray(0, bytesRead), 0, size - at);
    if (box === null) {
      // After the moov, a box whose header reads well but which runs past the end: the file's tail is missing.
      const runsPast = moov !== null && boxAt(header.subarray(0, bytesRead), 0, Number.MAX_SAFE_INTEGER) !== null;
      return runsPast ? { box: moov!, cut: true } : null;
    }
    if (box.type === 'moov') {
      if (moov !== null || box.length > MAX_MOOV_BYTES) return null;
      moov = { type: 'moov', start: at + box.start, length: box.length };
    }
    at += box.start + box.length;
  }
  return moov === null ? null : { box: moov, cut: false };
}

/**
 * The box whose header starts at `at` in `b`, with `room` bytes from `at` to the end of its parent
 * (or the file); null when its header is cut, its size is impossible, or it runs past `room`.
 */
export function boxAt(b: Uint8Array, at: number, room: number): Box | null {
  if (at + 8 > b.length) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const size32 = view.getUint32(at);
  const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
  let headerLength = 8;
  let size: number;
  if (size32 === 1) {
    if (at + 16 > b.length) return null;
    size = Number(view.getBigUint64(at + 8));
    headerLength = 16;
  } else if (size32 === 0) {
    size = room;
  } else {
    size = size32;
  }
  if (size < headerLength || size > room) return null;
  return { type, start: at + headerLength, length: size - headerLength };
}

/** The children of the box spanning [start, start+length) of `b`; null if they do not tile it exactly. */
export function childBoxes(b: Uint8Array, start: number, length: number): Box[] | null {
  const out: Box[] = [];
  let at = start;
  const end = start + length;
  while (at < end) {
    const box = boxAt(b, at, end - at);
    if (box === null || out.length >= MAX_TOP_BOXES) return null;
    out.push(box);
    at = box.start + box.length;
  }
  return out;
}

/** The streams a `moov` payload declares; null where ffmpeg might list something else. */
export function streamsOfMoov(moov: Uint8Array): StreamSummary[] | null {
  const children = childBoxes(moov, 0, moov.length);
  if (children === null || children.some((c) => c.type === 'cmov')) return null;
  if (children.filter((c) => c.type === 'udta' || c.type === 'meta').some((c) => holdsCoverArt(moov, c))) return null;
  const tracks = children.filter((c) => c.type === 'trak');
  if (tracks.length === 0 || tracks.length > MAX_TRACKS) return null;
  const streams: StreamSummary[] = [];
  for (const [index, trak] of tracks.entries()) {
    const stream = trackStream(moov, trak, index);
    if (stream === null) return null;
    streams.push(stream);
  }
  return streams;
}

/** One track as ffmpeg lists it: its kind, and for video the stored size of its first sample description. */
function trackStream(b: Uint8Array, trak: Box, index: number): StreamSummary | null {
  const mdia = only(b, trak, 'mdia');
  const hdlr = mdia && only(b, mdia, 'hdlr');
  if (!mdia || !hdlr || hdlr.length < 12) return null;
  const handler = String.fromCharCode(...b.subarray(hdlr.start + 8, hdlr.start + 12));
  const type = HANDLER_TYPES[handler];
  if (type === undefined) return null;
  if (type !== 'video') return { index, type, codec: 'unknown', width: 0, height: 0, attachedPicture: false };
  const minf = only(b, mdia, 'minf');
  const stbl = minf && only(b, minf, 'stbl');
  const stsd = stbl && only(b, stbl, 'stsd');
  // stsd: version and flags (4), entry count (4), then the entries; ffmpeg uses one, so only one is plain.
  if (!stsd || stsd.length < 8 + 8 + 28) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  if (view.getUint32(stsd.start + 4) !== 1) return null;
  const entry = boxAt(b, stsd.start + 8, stsd.length - 8);
  // A VisualSampleEntry: 6 reserved, data reference index (2), 16 bytes of pre-defined/reserved, width, height.
  if (!entry || entry.length < 28) return null;
  const width = view.getUint16(entry.start + 24);
  const height = view.getUint16(entry.start + 26);
  return { index, type, codec: entry.type, width, height, attachedPicture: false };
}

/** The single child of `parent` of this type; null when there is none, several, or the children are malformed. */
export function only(b: Uint8Array, parent: Box, type: string): Box | null {
  const children = childBoxes(b, parent.start, parent.length);
  const found = children?.filter((c) => c.type === type) ?? [];
  return found.length === 1 ? found[0]! : null;
}

/** Whether a `udta`/`meta` box may carry cover art: any `covr` box name inside it (a conservative byte search). */
function holdsCoverArt(b: Uint8Array, box: Box): boolean {
  return Buffer.from(b.buffer, b.byteOffset + box.start, box.length).includes('covr', 0, 'latin1');
}
