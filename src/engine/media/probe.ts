import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { acceptedFormats, demuxersFor, inputArgs, type InputCaps, type MediaRole } from './input-policy.js';
import { sniffMedia, type Sniffed } from './sniff.js';
import { readHead } from './file-head.js';
import { readImageHeader, type ImageFormat, type ImageHeader } from './image-header.js';
import { checkPhotoSize, checkStreams } from './media-checks.js';
import { readMp4Info } from './mp4-info.js';
import { readMp4Streams } from './mp4-streams.js';
import { decoderPixelCap, formatBytes, type MediaLimits } from './limits.js';
import { parseRational, rationalValue, type AudioStreamInfo, type MediaInfo, type StreamSummary, type VideoStreamInfo } from './media-info.js';
import { runProcess, signalStopError } from './process.js';

const ROLE_NAME: Record<MediaRole, string> = { photo: 'The photo', video: 'The driving video' };

/**
 * Reads a user file's headers with ffprobe under the role's whitelists and caps. Cheap
 * checks first (exists, not empty, not too many bytes, a photo's header size); for a
 * video, the container's list of streams (no decoding) before ffprobe's full read, which
 * decodes a picture of every stream. Unreadable or unexpected files become one clear
 * InputError, whose message never holds the path (it is in the context, for logs).
 * `depth` 'headers' (a command's intake): an MP4/MOV whose boxes say everything is read
 * in-process, with no ffprobe at all (see ProbeDepth).
 */
export async function probeMedia(path: string, role: MediaRole, limits: MediaLimits, signal?: AbortSignal, depth: ProbeDepth = 'full'): Promise<MediaInfo> {
  const who = ROLE_NAME[role];
  let size: number;
  // The path stays in the error's context (for logs), never in its message: the message is shown to users (a
  // Discord reply), and the path is the server's.
  try {
    const s = await stat(path);
    if (!s.isFile())
      throw new InputError('file-missing', `${who} is not a file (it is a folder or a device); give the ${role === 'photo' ? 'image' : 'video'} file itself.`, {
        path,
      });
    size = s.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('file-missing', `${who} could not be found at the path given; check it and try again.`, { path });
  }
  if (size === 0) throw new InputError('empty-file', `${who} is an empty file (0 bytes).`, { path });
  const maxBytes = role === 'photo' ? limits.maxPhotoBytes : limits.maxVideoBytes;
  if (size > maxBytes) {
    throw new InputError('file-too-large', `${who} is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`, { size, maxBytes });
  }
  const head = await readHead(path, HEAD_BYTES);
  const sniffed = sniffMedia(head);
  const demuxer = demuxerFor(role, sniffed);
  if (role === 'photo') {
    // Refuse a huge picture from its header, before any decoder allocates for it; a header that cannot be read
    // is refused too, not left to a decoder.
    const header = await photoHeader(path, head, size);
    if (header.kind !== 'size') {
      const reason = header.kind === 'malformed' ? header.reason : 'its header cannot be read';
      throw new InputError('unreadable-image', `${who} is not a valid ${sniffed.name} image: ${reason}. Save it again as JPEG or PNG and try again.`, {
        path,
        detected: sniffed.name,
      });
    }
    checkPhotoSize(header.width, header.height, limits);
    // An image file holds one picture, and its header says all the engine needs: no ffprobe (a process costs
    // ~0.2 s of CPU to start). Whether it decodes is the decoder's to say (verifyPhotoDecodes, decodePhoto).
    return photoInfo(header, demuxer, size);
  }
  // Every open of the file is capped: the largest picture any decoder may allocate, and the number of streams.
  const caps = { maxPixels: decoderPixelCap(role, limits), maxStreams: limits.maxStreams };
  if (role === 'video' && depth === 'headers' && demuxer === 'mov') {
    const reading = await readMp4Info(path, demuxer);
    if (reading?.kind === 'truncated') throw unreadable(role, `sample data runs ${reading.missingBytes} bytes past the end of the file`, path);
    if (reading) {
      checkStreams(reading.info.streams ?? [], role, limits, false);
      return reading.info;
    }
  }
  if (role === 'video') {
    // First the container's own list of streams, with no decoding at all (ffprobe would otherwise decode a picture
    // of every stream): too many streams, or an extra video stream larger than the limits, stop here.
    // An MP4/MOV (what phones record) is listed in-process from its boxes, saving a process; another
    // container, or one that parser does not fully understand, is listed by ffprobe.
    const listing = demuxer === 'mov' ? await readMp4Streams(path) : null;
    const listed =
      listing ?? streamSummaries(await runProbe(path, role, demuxer, ['-nofind_stream_info'], { ...caps, maxStreams: LISTING_MAX_STREAMS }, limits, signal));
    checkStreams(listed, role, limits, false);
  }
  const json = await runProbe(path, role, demuxer, [], caps, limits, signal);
  const info = parseProbeJson(json, size, demuxer);
  checkStreams(info.streams ?? [], role, limits, true);
  return info;
}

/**
 * How far a video is read. 'full' (the engine, before it runs a job): ffprobe, which decodes a picture of every
 * stream under the caps. 'headers' (a command's intake, where a burst of members wait): an MP4/MOV's boxes are
 * read in-process when they say everything the checks need (readMp4Info), else ffprobe as for 'full'.
 */
export type ProbeDepth = 'headers' | 'full';

/** ffprobe's codec names for the image formats, so a photo's MediaInfo reads as if ffprobe had made it. */
const IMAGE_CODECS: Record<ImageFormat, string> = { JPEG: 'mjpeg', PNG: 'png', GIF: 'gif', BMP: 'bmp', WebP: 'webp' };

/** A photo's MediaInfo from its header: one still picture, stored size (EXIF orientation is applied on decoding). */
function photoInfo(header: { format: ImageFormat; width: number; height: number }, demuxer: string, sizeBytes: number): MediaInfo {
  const codec = IMAGE_CODECS[header.format];
  const { width, height } = header;
  return {
    formatName: demuxer,
    demuxer,
    sizeBytes,
    durationSeconds: null,
    video: { codec, width, height, rotation: 0, pixelFormat: 'unknown', frameRate: null, frameCount: 1, frameCountExact: true },
    audio: null,
    streams: [{ index: 0, type: 'video', codec, width, height, attachedPicture: false }],
  };
}

/** Bytes read from the start of a user file: magic bytes, and an image's header. */
const HEAD_BYTES = 256 * 1024;
/** Streams the listing may count before it gives up (ffmpeg's default); the limit itself is lower. */
const LISTING_MAX_STREAMS = 1000;

/** The photo's header, from the head of the file; a JPEG with more than the head in front of its frame header is read further. */
async function photoHeader(path: string, head: Uint8Array, fileSize: number): Promise<ImageHeader> {
  const header = readImageHeader(head, head.length >= fileSize);
  if (header.kind !== 'truncated') return header;
  // The whole file: its size is within the photo's byte limit (checked above).
  return readImageHeader(await readFile(path), true);
}

/** ffprobe's JSON for a user file (its format and streams), or one clear InputError. */
async function runProbe(
  path: string,
  role: MediaRole,
  demuxer: string,
  options: readonly string[],
  caps: InputCaps,
  limits: MediaLimits,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const who = ROLE_NAME[role];
  const { ffprobe } = resolveFfmpeg();
  const result = await runProcess(
    ffprobe,
    ['-v', 'error', ...options, '-show_format', '-show_streams', '-of', 'json', ...inputArgs(path, role, demuxer, caps)],
    { timeoutMs: limits.probeTimeoutMs, signal, maxStdoutBytes: 4 * 1024 * 1024 },
  );
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  if (result.timedOut) {
    throw new InputError(role === 'photo' ? 'unreadable-image' : 'unreadable-video', `${who} took too long to read; it may be damaged.`, { path });
  }
  const stopped = result.killedByUs
    ? null
    : signalStopError('ffprobe', `while reading ${role === 'photo' ? 'the photo' : 'the driving video'}`, result, result.stderr, { path });
  if (stopped) throw stopped;
  // A decoder refused a picture over the cap (-max_pixels): ffprobe then fails (the size is in the container's
  // header) or lists the stream with no size (it is in the picture's own header). Either way, say what it is.
  const huge = /Picture size (\d+)x(\d+) exceeds specified max pixel count/.exec(result.stderr);
  if (huge) {
    const [width, height] = [Number(huge[1]), Number(huge[2])];
    const maxPixels = role === 'photo' ? limits.maxPhotoPixels : limits.maxVideoPixels;
    throw new InputError(
      role === 'photo' ? 'image-too-large' : 'video-too-large',
      `${who} holds a picture of ${width}×${height} pixels; the limit is ${+(maxPixels / 1e6).toFixed(1)} megapixels and ${limits.maxSide} pixels a side. ${
        role === 'photo' ? 'Resize it and try again.' : 'Scale it down, keep one video track, and try again.'
      }`,
      { path, width, height },
    );
  }
  if (/exceeds max_streams/.test(result.stderr)) {
    const fix = role === 'photo' ? 'Save it again as a plain JPEG or PNG and try again.' : 'Export it with one video track (and its sound) and try again.';
    throw new InputError(
      'too-many-streams',
      `${who} holds more than ${caps.maxStreams ?? limits.maxStreams} streams (tracks); Marionette reads files with at most ${limits.maxStreams}. ${fix}`,
      { path },
    );
  }
  let json: unknown = null;
  try {
    json = JSON.parse(result.stdout.toString('utf8'));
  } catch {
    // handled below
  }
  if (result.code !== 0 || json === null) throw unreadable(role, result.stderr, path);
  return json;
}

/** The demuxer for a sniffed file in a role, or a clear refusal. */
export function demuxerFor(role: MediaRole, sniffed: Sniffed): string {
  const who = ROLE_NAME[role];
  if (sniffed.kind === 'playlist') {
    throw new InputError(
      'unsupported-format',
      `${who} is a ${sniffed.name}, which Marionette does not open; upload the ${role === 'photo' ? 'image' : 'video'} file itself.`,
      { detected: sniffed.name },
    );
  }
  if (role === 'photo' && sniffed.kind === 'video') {
    throw new InputError('unsupported-format', `${who} is a video (${sniffed.name}); give a still image (${acceptedFormats('photo')}).`, {
      detected: sniffed.name,
    });
  }
  if (role === 'video' && sniffed.kind === 'image') {
    throw new InputError('unsupported-format', `${who} is a still image (${sniffed.name}); give a video clip (${acceptedFormats('video')}).`, {
      detected: sniffed.name,
    });
  }
  if (!sniffed.demuxer || !demuxersFor(role).includes(sniffed.demuxer)) {
    throw new InputError(
      'unsupported-format',
      `${who} is not ${role === 'photo' ? 'an image' : 'a video'} Marionette can read; use ${acceptedFormats(role)}.`,
      { detected: sniffed.name },
    );
  }
  return sniffed.demuxer;
}

function unreadable(role: MediaRole, stderr: string, path: string): InputError {
  const who = ROLE_NAME[role];
  return new InputError(
    role === 'photo' ? 'unreadable-image' : 'unreadable-video',
    `${who} could not be read as ${role === 'photo' ? 'an image' : 'a video'}; it may be damaged or truncated (use ${acceptedFormats(role)}).`,
    { path, stderr: stderr.slice(-500) },
  );
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : null;
};

/** Reduces ffprobe's JSON to MediaInfo (exported for tests on recorded probe output). */
export function parseProbeJson(json: unknown, sizeBytes: number, demuxer: string): MediaInfo {
  const format = isObj(json) && isObj(json['format']) ? json['format'] : {};
  const streams = isObj(json) && Array.isArray(json['streams']) ? json['streams'].filter(isObj) : [];
  const formatDuration = num(format['duration']);
  const v = streams.find((s) => s['codec_type'] === 'video' && !isAttachedPicture(s));
  const a = streams.find((s) => s['codec_type'] === 'audio');
  return {
    formatName: typeof format['format_name'] === 'string' ? format['format_name'] : 'unknown',
    demuxer,
    sizeBytes,
    durationSeconds: formatDuration !== null && formatDuration > 0 ? formatDuration : null,
    video: v ? videoInfo(v, formatDuration) : null,
    audio: a ? audioInfo(a) : null,
    streams: streamSummaries(json),
  };
}

/** Every stream ffprobe listed, as stored (no rotation applied). */
export function streamSummaries(json: unknown): StreamSummary[] {
  const streams = isObj(json) && Array.isArray(json['streams']) ? json['streams'].filter(isObj) : [];
  return streams.map((s, i) => ({
    index: num(s['index']) ?? i,
    type: typeof s['codec_type'] === 'string' ? s['codec_type'] : 'unknown',
    codec: typeof s['codec_name'] === 'string' ? s['codec_name'] : 'unknown',
    width: num(s['width']) ?? 0,
    height: num(s['height']) ?? 0,
    attachedPicture: isAttachedPicture(s),
  }));
}

function isAttachedPicture(s: Json): boolean {
  return isObj(s['disposition']) && s['disposition']['attached_pic'] === 1;
}

function videoInfo(s: Json, formatDuration: number | null): VideoStreamInfo {
  const codedWidth = num(s['width']) ?? 0;
  const codedHeight = num(s['height']) ?? 0;
  const rotation = streamRotation(s);
  const swap = rotation === 90 || rotation === 270;
  const frameRate = parseRational(s['avg_frame_rate']) ?? parseRational(s['r_frame_rate']);
  const headerFrames = num(s['nb_frames']);
  const duration = num(s['duration']) ?? formatDuration;
  let frameCount: number | null = null;
  let exact = false;
  if (headerFrames !== null && headerFrames > 0) {
    frameCount = headerFrames;
    exact = true;
  } else if (duration !== null && duration > 0 && frameRate) {
    frameCount = Math.round(duration * rationalValue(frameRate));
  }
  return {
    codec: typeof s['codec_name'] === 'string' ? s['codec_name'] : 'unknown',
    width: swap ? codedHeight : codedWidth,
    height: swap ? codedWidth : codedHeight,
    rotation,
    pixelFormat: typeof s['pix_fmt'] === 'string' ? s['pix_fmt'] : 'unknown',
    frameRate,
    frameCount,
    frameCountExact: exact,
  };
}

/** Rotation for display, from the display matrix side data or an old-style `rotate` tag. */
function streamRotation(s: Json): number {
  let degrees = 0;
  const sideData = Array.isArray(s['side_data_list']) ? s['side_data_list'].filter(isObj) : [];
  const matrix = sideData.find((d) => num(d['rotation']) !== null);
  if (matrix) degrees = -(num(matrix['rotation']) ?? 0);
  else if (isObj(s['tags']) && num(s['tags']['rotate']) !== null) degrees = num(s['tags']['rotate']) ?? 0;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

function audioInfo(s: Json): AudioStreamInfo {
  return {
    codec: typeof s['codec_name'] === 'string' ? s['codec_name'] : 'unknown',
    channels: num(s['channels']) ?? 0,
    sampleRate: num(s['sample_rate']) ?? 0,
  };
}
