import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { acceptedFormats, demuxersFor, inputArgs, type MediaRole } from './input-policy.js';
import { sniffMedia, type Sniffed } from './sniff.js';
import { readHead } from './file-head.js';
import { readImageSize } from './image-header.js';
import { checkPhotoSize } from './media-checks.js';
import { formatBytes, type MediaLimits } from './limits.js';
import { parseRational, rationalValue, type AudioStreamInfo, type MediaInfo, type VideoStreamInfo } from './media-info.js';
import { runProcess } from './process.js';

const ROLE_NAME: Record<MediaRole, string> = { photo: 'The photo', video: 'The driving video' };

/**
 * Reads a user file's headers with ffprobe under the role's whitelists. Cheap
 * checks first (exists, not empty, not too many bytes); unreadable or
 * unexpected files become one clear InputError.
 */
export async function probeMedia(path: string, role: MediaRole, limits: MediaLimits, signal?: AbortSignal): Promise<MediaInfo> {
  const who = ROLE_NAME[role];
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new InputError('file-missing', `${who} (${path}) is not a file.`);
    size = s.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('file-missing', `${who} could not be found at ${path}.`, { path });
  }
  if (size === 0) throw new InputError('empty-file', `${who} is an empty file (0 bytes).`, { path });
  const maxBytes = role === 'photo' ? limits.maxPhotoBytes : limits.maxVideoBytes;
  if (size > maxBytes) {
    throw new InputError('file-too-large', `${who} is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`, { size, maxBytes });
  }
  const head = await readHead(path, 256 * 1024);
  const demuxer = demuxerFor(role, sniffMedia(head));
  if (role === 'photo') {
    // Refuse a huge picture from its header, before any decoder allocates for it.
    const size = readImageSize(head);
    if (size) checkPhotoSize(size.width, size.height, limits);
  }

  const { ffprobe } = resolveFfmpeg();
  const result = await runProcess(
    ffprobe,
    ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', ...inputArgs(path, role, demuxer)],
    { timeoutMs: limits.probeTimeoutMs, signal, maxStdoutBytes: 4 * 1024 * 1024 },
  );
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  if (result.timedOut) {
    throw new InputError(role === 'photo' ? 'unreadable-image' : 'unreadable-video', `${who} took too long to read; it may be damaged.`, { path });
  }
  let json: unknown = null;
  try {
    json = JSON.parse(result.stdout.toString('utf8'));
  } catch {
    // handled below
  }
  if (result.code !== 0 || json === null) throw unreadable(role, result.stderr, path);
  return parseProbeJson(json, size, demuxer);
}

/** The demuxer for a sniffed file in a role, or a clear refusal. */
export function demuxerFor(role: MediaRole, sniffed: Sniffed): string {
  const who = ROLE_NAME[role];
  if (sniffed.kind === 'playlist') {
    throw new InputError('unsupported-format', `${who} is a ${sniffed.name}, which Marionette does not open; upload the ${role === 'photo' ? 'image' : 'video'} file itself.`, { detected: sniffed.name });
  }
  if (role === 'photo' && sniffed.kind === 'video') {
    throw new InputError('unsupported-format', `${who} is a video (${sniffed.name}); give a still image (${acceptedFormats('photo')}).`, { detected: sniffed.name });
  }
  if (role === 'video' && sniffed.kind === 'image') {
    throw new InputError('unsupported-format', `${who} is a still image (${sniffed.name}); give a video clip (${acceptedFormats('video')}).`, { detected: sniffed.name });
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
  };
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
