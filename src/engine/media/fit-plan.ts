/**
 * How to re-encode a clip so it fits an upload limit. Pure: given the clip's
 * duration and size and what the last attempt produced, the next settings.
 * First a bitrate that should fit (92 % of the limit, audio at 64 kb/s), then
 * lower bitrates, then a smaller picture; audio is dropped only at the end.
 */
export interface FitAttempt {
  readonly videoBitrate: number;
  readonly audioBitrate: number | null;
  /** Output width and height (even numbers). */
  readonly width: number;
  readonly height: number;
}

export interface FitInput {
  readonly limitBytes: number;
  readonly durationSeconds: number;
  readonly width: number;
  readonly height: number;
  readonly hasAudio: boolean;
}

const MIN_VIDEO_BITRATE = 40_000;
const MIN_SIDE = 96;
export const MAX_FIT_ATTEMPTS = 6;

export function firstFitAttempt(input: FitInput): FitAttempt {
  const audio = input.hasAudio ? 64_000 : null;
  const totalBits = input.limitBytes * 8 * 0.92;
  const video = Math.floor(totalBits / Math.max(0.1, input.durationSeconds) - (audio ?? 0));
  return { videoBitrate: Math.max(MIN_VIDEO_BITRATE, video), audioBitrate: audio, width: even(input.width), height: even(input.height) };
}

/** The next attempt after `previous` produced `producedBytes`; null when nothing smaller is worth trying. */
export function nextFitAttempt(input: FitInput, previous: FitAttempt, producedBytes: number): FitAttempt | null {
  const ratio = (input.limitBytes * 0.92) / producedBytes;
  const bitrate = Math.floor(previous.videoBitrate * Math.min(0.85, ratio));
  if (bitrate >= MIN_VIDEO_BITRATE * 2) return { ...previous, videoBitrate: bitrate };
  if (Math.min(previous.width, previous.height) * 0.75 >= MIN_SIDE) {
    return { ...previous, videoBitrate: Math.max(MIN_VIDEO_BITRATE, bitrate), width: even(previous.width * 0.75), height: even(previous.height * 0.75) };
  }
  if (previous.audioBitrate !== null) return { ...previous, videoBitrate: MIN_VIDEO_BITRATE, audioBitrate: null };
  return null;
}

function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}
