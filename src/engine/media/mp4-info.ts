import type { AudioStreamInfo, MediaInfo, Rational, StreamSummary, VideoStreamInfo } from './media-info.js';
import { readSampleTable, type SampleTable } from './mp4-sample-table.js';
import { boxAt, childBoxes, only, readMoov, streamsOfMoov, type Box } from './mp4-streams.js';

/**
 * An MP4/MOV's MediaInfo read in-process from its `moov` box, as ffprobe would report it without decoding: the
 * streams, the video's stored size, display rotation (tkhd matrix), average frame rate and frame count (sample
 * tables), the duration (mvhd), and the audio's channels and rate. What phones record is read this way at a
 * command's intake, where ffprobe would cost about 0.2 s of CPU just to start; the engine still probes with
 * ffprobe (and decodes under its caps) when the job runs.
 *
 * The answer is the info; or 'truncated' when the sample tables place data past the end of the file (a file cut
 * off in the upload: nothing else is needed to refuse it); or null for anything this reader does not fully
 * understand — fragmented files, several edit-list entries, a movie-level matrix, an unknown codec, tables that
 * disagree — and the caller asks ffprobe as before.
 */
export type Mp4Reading = { readonly kind: 'info'; readonly info: MediaInfo } | { readonly kind: 'truncated'; readonly missingBytes: number };

/** ffprobe's names for the sample entries read here; another codec is left to ffprobe. */
const VIDEO_CODECS: Readonly<Record<string, string>> = {
  avc1: 'h264',
  avc3: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  mp4v: 'mpeg4',
  av01: 'av1',
  vp09: 'vp9',
  vp08: 'vp8',
  jpeg: 'mjpeg',
};
const AUDIO_CODECS: Readonly<Record<string, string>> = { mp4a: 'aac', Opus: 'opus', fLaC: 'flac', alac: 'alac', 'ac-3': 'ac3', 'ec-3': 'eac3' };
/** What ffprobe calls the mov demuxer's family. */
const FORMAT_NAME = 'mov,mp4,m4a,3gp,3g2,mj2';

export async function readMp4Info(path: string, demuxer: string): Promise<Mp4Reading | null> {
  const read = await readMoov(path);
  if (read === null) return null;
  const reading = mediaInfoOfMoov(read.moov, read.fileSize, demuxer);
  // A file whose last box is cut short, yet whose samples all lie before the cut, is left to ffprobe.
  return read.cut && reading?.kind !== 'truncated' ? null : reading;
}

/** The reading of a `moov` payload in a file of `fileSize` bytes; null where ffprobe should be asked. */
export function mediaInfoOfMoov(moov: Uint8Array, fileSize: number, demuxer: string): Mp4Reading | null {
  const streams = streamsOfMoov(moov);
  const children = childBoxes(moov, 0, moov.length);
  if (streams === null || children === null || children.some((c) => c.type === 'mvex')) return null;
  const mvhd = children.filter((c) => c.type === 'mvhd');
  const movie = mvhd.length === 1 ? readMovieHeader(moov, mvhd[0]!) : null;
  if (movie === null) return null;
  const tracks = children.filter((c) => c.type === 'trak').map((t) => readTrack(moov, t));
  if (tracks.some((t) => t === null)) return null;
  const read = tracks as Track[];
  const dataEnd = Math.max(0, ...read.map((t) => t.table.dataEnd));
  if (dataEnd > fileSize) return { kind: 'truncated', missingBytes: dataEnd - fileSize };
  // The tracks are listed in the streams' order: the video's stored size is its stream's, read once by streamsOfMoov.
  const videoIndex = read.findIndex((t) => t.handler === 'vide');
  const audioTrack = read.find((t) => t.handler === 'soun');
  const video = videoIndex >= 0 ? videoInfo(read[videoIndex]!, streams[videoIndex]!) : null;
  if (videoIndex >= 0 && video === null) return null;
  const info: MediaInfo = {
    formatName: FORMAT_NAME,
    demuxer,
    sizeBytes: fileSize,
    durationSeconds: movie.duration > 0 ? movie.duration / movie.timescale : null,
    video,
    audio: audioTrack ? audioInfo(moov, audioTrack) : null,
    streams,
  };
  return { kind: 'info', info };
}

interface Track {
  readonly handler: string;
  readonly rotation: number;
  readonly timescale: number;
  readonly table: SampleTable;
  /** The first (only) sample description entry. */
  readonly entry: Box;
}

/** mvhd: timescale and duration, and a matrix that must be the identity (ffmpeg would compose it with the track's). */
function readMovieHeader(b: Uint8Array, mvhd: Box): { timescale: number; duration: number } | null {
  const view = viewOf(b);
  const v1 = b[mvhd.start] === 1;
  const matrixAt = mvhd.start + (v1 ? 48 : 36);
  if (mvhd.length < (v1 ? 48 : 36) + 36) return null;
  const timescale = view.getUint32(mvhd.start + (v1 ? 20 : 12));
  const duration = v1 ? Number(view.getBigUint64(mvhd.start + 24)) : view.getUint32(mvhd.start + 16);
  if (timescale === 0 || !isIdentity(view, matrixAt)) return null;
  return { timescale, duration };
}

/** One `trak`: its handler, display rotation, media timescale, sample table and sample description. */
function readTrack(b: Uint8Array, trak: Box): Track | null {
  const view = viewOf(b);
  const tkhd = only(b, trak, 'tkhd');
  const mdia = only(b, trak, 'mdia');
  const edts = childBoxes(b, trak.start, trak.length)?.find((c) => c.type === 'edts');
  const mdhd = mdia && only(b, mdia, 'mdhd');
  const hdlr = mdia && only(b, mdia, 'hdlr');
  const minf = mdia && only(b, mdia, 'minf');
  const stbl = minf && only(b, minf, 'stbl');
  const stsd = stbl && only(b, stbl, 'stsd');
  if (!tkhd || !mdhd || !hdlr || !stbl || !stsd || hdlr.length < 12 || stsd.length < 16) return null;
  if (edts && !plainEditList(b, edts)) return null;
  const v1 = b[mdhd.start] === 1;
  if (mdhd.length < (v1 ? 32 : 20)) return null;
  const timescale = view.getUint32(mdhd.start + (v1 ? 20 : 12));
  const table = readSampleTable(b, stbl);
  const entry = boxAt(b, stsd.start + 8, stsd.length - 8);
  const rotation = trackRotation(b, tkhd);
  if (timescale === 0 || table === null || entry === null || rotation === null) return null;
  const handler = String.fromCharCode(...b.subarray(hdlr.start + 8, hdlr.start + 12));
  return { handler, rotation, timescale, table, entry };
}

/** An edit list of at most one entry (what cameras and ffmpeg write); several edits reorder time, for ffprobe to read. */
function plainEditList(b: Uint8Array, edts: Box): boolean {
  const elst = only(b, edts, 'elst');
  return elst !== null && elst.length >= 8 && viewOf(b).getUint32(elst.start + 4) <= 1;
}

/**
 * The clockwise rotation for display, from the tkhd matrix [a b u; c d v; x y w] (16.16 fixed point) as ffmpeg
 * reads it: the angle of (a, b), to the nearest quarter turn. Null when the matrix is cut short.
 */
function trackRotation(b: Uint8Array, tkhd: Box): number | null {
  const v1 = b[tkhd.start] === 1;
  const at = tkhd.start + (v1 ? 52 : 40);
  if (tkhd.length < (v1 ? 52 : 40) + 36) return null;
  const view = viewOf(b);
  const [a, bb, c, d] = [view.getInt32(at), view.getInt32(at + 4), view.getInt32(at + 12), view.getInt32(at + 16)];
  const scaleA = Math.hypot(a, c);
  const scaleB = Math.hypot(bb, d);
  if (scaleA === 0 || scaleB === 0) return 0;
  const degrees = (Math.atan2(bb / scaleB, a / scaleA) * 180) / Math.PI;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

/** The video stream: its stored size (sides swapped for a quarter turn), rate and count from the tables. */
function videoInfo(track: Track, stored: StreamSummary): VideoStreamInfo | null {
  const codec = VIDEO_CODECS[track.entry.type];
  if (codec === undefined) return null;
  const { width, height } = stored;
  const swap = track.rotation === 90 || track.rotation === 270;
  const { samples, duration } = track.table;
  return {
    codec,
    width: swap ? height : width,
    height: swap ? width : height,
    rotation: track.rotation,
    pixelFormat: 'unknown',
    frameRate: samples > 0 && duration > 0 ? reduced(samples * track.timescale, duration) : null,
    frameCount: samples > 0 ? samples : null,
    frameCountExact: samples > 0,
  };
}

/**
 * An AudioSampleEntry: 8 bytes of reserved and reference index, 8 of version and vendor, then channels, …, rate (16.16).
 * The channels are the entry's: for AAC the true count is in its decoder configuration (a mono AAC track may say 2).
 * The intake reads only whether there is audio; the engine's ffprobe, when the job runs, gives what encoding uses.
 */
function audioInfo(b: Uint8Array, track: Track): AudioStreamInfo {
  const view = viewOf(b);
  const entry = track.entry;
  const readable = entry.length >= 28;
  return {
    codec: AUDIO_CODECS[entry.type] ?? entry.type.trim().toLowerCase(),
    channels: readable ? view.getUint16(entry.start + 16) : 0,
    sampleRate: readable ? view.getUint32(entry.start + 24) >>> 16 : 0,
  };
}

function isIdentity(view: DataView, at: number): boolean {
  const identity = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
  return identity.every((v, i) => view.getInt32(at + i * 4) === v);
}

function reduced(num: number, den: number): Rational {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}
