import { resolve } from 'node:path';

/**
 * What user files may be to ffmpeg. Every user file is opened with:
 *   - a protocol whitelist of `file` only (plus `pipe` for our own pipes), so a
 *     crafted playlist (HLS, ffconcat, …) cannot make ffmpeg open another file,
 *     a URL or a subprocess;
 *   - the demuxer named explicitly from the file's magic bytes, within an
 *     allowlist per role, so a file is only read as the kind of media we expect
 *     (a photo cannot be a playlist, a video cannot be an image);
 *   - an explicit `file:` URL of an absolute path, so a name like `http:x.mp4`
 *     or `-i` is never taken for a protocol or an option.
 */
export type MediaRole = 'photo' | 'video';

/** Demuxer names as ffmpeg knows them (`ffmpeg -demuxers`). */
export const PHOTO_DEMUXERS = ['jpeg_pipe', 'png_pipe', 'webp_pipe', 'bmp_pipe', 'gif'] as const;
export const VIDEO_DEMUXERS = ['mov', 'matroska', 'gif', 'avi'] as const;
export const PROTOCOL_WHITELIST = 'file,pipe';

export function demuxersFor(role: MediaRole): readonly string[] {
  return role === 'photo' ? PHOTO_DEMUXERS : VIDEO_DEMUXERS;
}

/**
 * The input options and `-i` argument for opening a user file in the given role
 * with the demuxer chosen from its magic bytes (see sniff.ts).
 */
export function inputArgs(path: string, role: MediaRole, demuxer: string): string[] {
  if (!demuxersFor(role).includes(demuxer)) throw new Error(`demuxer ${demuxer} is not allowed for a ${role}`);
  return ['-protocol_whitelist', PROTOCOL_WHITELIST, '-format_whitelist', demuxersFor(role).join(','), '-f', demuxer, '-i', fileUrl(path)];
}

export function fileUrl(path: string): string {
  return `file:${resolve(path)}`;
}

/** Human names for the formats each role accepts, for error messages. */
export function acceptedFormats(role: MediaRole): string {
  return role === 'photo' ? 'JPEG, PNG, WebP, BMP or GIF' : 'MP4, MOV, WebM, MKV, AVI or GIF';
}
