/**
 * Limits on what a user may hand the engine, enforced before heavy work
 * (from the file size and ffprobe's reading of the headers) and again while
 * decoding (frame count), so neither a lying header nor a huge file gets far.
 */
export interface MediaLimits {
  readonly maxPhotoBytes: number;
  readonly maxVideoBytes: number;
  /** Pixels of the photo (width × height). */
  readonly maxPhotoPixels: number;
  /** Pixels of one video frame. */
  readonly maxVideoPixels: number;
  /** Shortest side allowed, for photos and video. */
  readonly minSide: number;
  /** Longest side allowed, for photos and video. */
  readonly maxSide: number;
  readonly maxDurationSeconds: number;
  readonly maxFrames: number;
  readonly maxFrameRate: number;
  /** Time allowed for probing one file. */
  readonly probeTimeoutMs: number;
  /** Streams (tracks) a file may hold in all: video, audio, subtitles, data. */
  readonly maxStreams: number;
  /** Video streams a file may hold, cover pictures included; each is at most the pixel limit. */
  readonly maxVideoStreams: number;
}

export const DEFAULT_LIMITS: MediaLimits = {
  maxPhotoBytes: 25 * 1024 * 1024,
  maxVideoBytes: 200 * 1024 * 1024,
  maxPhotoPixels: 50_000_000,
  maxVideoPixels: 4096 * 4096,
  minSide: 16,
  maxSide: 8192,
  maxDurationSeconds: 300,
  maxFrames: 18_000,
  maxFrameRate: 240,
  probeTimeoutMs: 20_000,
  maxStreams: 32,
  maxVideoStreams: 4,
};

export function withLimits(overrides: Partial<MediaLimits> | undefined): MediaLimits {
  return { ...DEFAULT_LIMITS, ...(overrides ?? {}) };
}

/** ffmpeg's -max_pixels takes at most INT_MAX. */
const FFMPEG_INT_MAX = 2 ** 31 - 1;

/**
 * The largest picture ffmpeg's decoders may allocate (`-max_pixels`) when they open a user file in a role:
 * the role's pixel limit plus room for the decoders' alignment (up to 256 pixels more on each side of a
 * frame at most maxSide long). Every decoder that opens the file obeys it, also those that only read
 * the streams' parameters while probing (ffprobe decodes a picture of every stream, PNG ones whole).
 */
export function decoderPixelCap(role: 'photo' | 'video', limits: MediaLimits): number {
  const pixels = role === 'photo' ? limits.maxPhotoPixels : limits.maxVideoPixels;
  return Math.min(FFMPEG_INT_MAX, Math.max(1, Math.ceil(pixels + 2 * 256 * limits.maxSide + 256 * 256)));
}

/** A pixel count for -max_pixels for a picture whose size is known: its sides rounded up for the decoder's alignment. */
export function paddedPixels(width: number, height: number): number {
  return Math.min(FFMPEG_INT_MAX, (width + 256) * (height + 256));
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

export function formatSeconds(seconds: number): string {
  const unit = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (seconds >= 3600) return unit(+(seconds / 3600).toFixed(1), 'hour');
  if (seconds >= 120) return unit(+(seconds / 60).toFixed(1), 'minute');
  return unit(+seconds.toFixed(1), 'second');
}
