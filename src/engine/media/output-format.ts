import { extname } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Output containers by file extension, and the ffmpeg options for each.
 *   .mp4   H.264 yuv420p + AAC, faststart: plays inline in Discord and browsers
 *   .webm  VP9 + Opus
 *   .gif   palette from the source photo, no audio
 *   .mkv   FFV1 lossless RGB (bgr0) + FLAC: frames round-trip exactly
 */
export type OutputFormat = 'mp4' | 'webm' | 'gif' | 'mkv';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['mp4', 'webm', 'gif', 'mkv'];

export function outputFormatFor(path: string): OutputFormat {
  const ext = extname(path).toLowerCase().slice(1);
  if ((OUTPUT_FORMATS as readonly string[]).includes(ext)) return ext as OutputFormat;
  throw new InputError('output-format', `The output file must end in .mp4, .webm, .gif or .mkv (got "${extname(path) || 'no extension'}").`);
}

export function supportsAudio(format: OutputFormat): boolean {
  return format !== 'gif';
}

export interface VideoEncodeSettings {
  /** H.264 / VP9 quality (CRF); ignored for lossless and GIF. */
  readonly crf?: number;
  /** Target video bitrate in bits/s (overrides CRF), used to fit a size limit. */
  readonly videoBitrate?: number;
  readonly audioBitrate?: number;
}

export function videoCodecArgs(format: OutputFormat, settings: VideoEncodeSettings): string[] {
  switch (format) {
    case 'mp4': {
      const rate = settings.videoBitrate
        ? ['-b:v', String(settings.videoBitrate), '-maxrate', String(Math.round(settings.videoBitrate * 1.2)), '-bufsize', String(settings.videoBitrate * 2)]
        : ['-crf', String(settings.crf ?? 18)];
      return ['-c:v', 'libx264', '-preset', 'medium', ...rate, '-pix_fmt', 'yuv420p', '-movflags', '+faststart+use_metadata_tags'];
    }
    case 'webm': {
      const rate = settings.videoBitrate ? ['-b:v', String(settings.videoBitrate)] : ['-crf', String(settings.crf ?? 32), '-b:v', '0'];
      return ['-c:v', 'libvpx-vp9', ...rate, '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1', '-pix_fmt', 'yuv420p'];
    }
    case 'gif':
      return ['-loop', '0'];
    case 'mkv':
      return ['-c:v', 'ffv1', '-level', '3', '-pix_fmt', 'bgr0'];
  }
}

export function audioCodecArgs(format: OutputFormat, settings: VideoEncodeSettings): string[] {
  const kbps = settings.audioBitrate ?? 128_000;
  switch (format) {
    case 'mp4':
      return ['-c:a', 'aac', '-b:a', String(kbps)];
    case 'webm':
      return ['-c:a', 'libopus', '-b:a', String(Math.min(kbps, 96_000))];
    case 'mkv':
      return ['-c:a', 'flac'];
    case 'gif':
      return [];
  }
}
