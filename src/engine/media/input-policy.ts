import { resolve } from 'node:path';
import { decoderPixelCap, DEFAULT_LIMITS } from './limits.js';

/**
 * What user files may be to ffmpeg. Every user file is opened with:
 *   - a protocol whitelist of `file` only (plus `pipe` for our own pipes), so a
 *     crafted playlist (HLS, ffconcat, …) cannot make ffmpeg open another file,
 *     a URL or a subprocess;
 *   - the demuxer named explicitly from the file's magic bytes, within an
 *     allowlist per role, so a file is only read as the kind of media we expect
 *     (a photo cannot be a playlist, a video cannot be an image);
 *   - an explicit `file:` URL of an absolute path, so a name like `http:x.mp4`
 *     or `-i` is never taken for a protocol or an option;
 *   - `-max_pixels`, the largest picture any decoder of that file may allocate,
 *     and `-max_streams`, the most streams the demuxer may create. ffmpeg and
 *     ffprobe decode a picture of *every* stream while they read a file's
 *     parameters (a PNG stream whole, at its own size, whatever stream is
 *     used), so without them a small file with a hidden 16000×16000 PNG stream
 *     makes even a probe allocate gigabytes.
 */
export type MediaRole = 'photo' | 'video';

/** Demuxer names as ffmpeg knows them (`ffmpeg -demuxers`). */
export const PHOTO_DEMUXERS = ['jpeg_pipe', 'png_pipe', 'webp_pipe', 'bmp_pipe', 'gif'] as const;
export const VIDEO_DEMUXERS = ['mov', 'matroska', 'gif', 'avi'] as const;
export const PROTOCOL_WHITELIST = 'file,pipe';

export function demuxersFor(role: MediaRole): readonly string[] {
  return role === 'photo' ? PHOTO_DEMUXERS : VIDEO_DEMUXERS;
}

/** Caps on what opening a file may allocate; by default those of the role under the default limits. */
export interface InputCaps {
  /** Largest picture a decoder may allocate (`-max_pixels`); see decoderPixelCap. */
  readonly maxPixels?: number;
  /** Most streams the demuxer may create (`-max_streams`). */
  readonly maxStreams?: number;
}

/**
 * The input options and `-i` argument for opening a user file in the given role
 * with the demuxer chosen from its magic bytes (see sniff.ts). Every open of a
 * user file goes through here, so none can forget the caps.
 */
export function inputArgs(path: string, role: MediaRole, demuxer: string, caps: InputCaps = {}): string[] {
  if (!demuxersFor(role).includes(demuxer)) throw new Error(`demuxer ${demuxer} is not allowed for a ${role}`);
  const maxPixels = caps.maxPixels ?? decoderPixelCap(role, DEFAULT_LIMITS);
  const maxStreams = caps.maxStreams ?? DEFAULT_LIMITS.maxStreams;
  if (!(Number.isInteger(maxPixels) && maxPixels > 0) || !(Number.isInteger(maxStreams) && maxStreams > 0)) {
    throw new Error(`bad input caps: ${maxPixels} pixels, ${maxStreams} streams`);
  }
  return [
    '-protocol_whitelist',
    PROTOCOL_WHITELIST,
    '-format_whitelist',
    demuxersFor(role).join(','),
    '-max_pixels',
    String(maxPixels),
    '-max_streams',
    String(maxStreams),
    '-f',
    demuxer,
    '-i',
    fileUrl(path),
  ];
}

export function fileUrl(path: string): string {
  return `file:${resolve(path)}`;
}

/** Human names for the formats each role accepts, for error messages. */
export function acceptedFormats(role: MediaRole): string {
  return role === 'photo' ? 'JPEG, PNG, WebP, BMP or GIF' : 'MP4, MOV, WebM, MKV, AVI or GIF';
}
