import { InputError } from '../errors.js';
import { formatSeconds, type MediaLimits } from './limits.js';
import { rationalValue, type MediaInfo, type StreamSummary, type VideoStreamInfo } from './media-info.js';

/**
 * Pure checks of probed media against the limits. Each refusal is one sentence
 * that says what is wrong and what is allowed.
 */
export function checkPhoto(info: MediaInfo, limits: MediaLimits): VideoStreamInfo {
  const v = info.video;
  if (!v || v.width <= 0 || v.height <= 0) {
    throw new InputError('unreadable-image', 'The photo has no image in it that Marionette can read.');
  }
  checkPhotoSize(v.width, v.height, limits);
  return v;
}

/** The photo's pixel size against the limits (also used on the raw header, before ffprobe). */
export function checkPhotoSize(width: number, height: number, limits: MediaLimits): void {
  checkSides('The photo', { width, height }, limits);
  const pixels = width * height;
  if (pixels > limits.maxPhotoPixels) {
    throw new InputError(
      'image-too-large',
      `The photo is ${width}×${height} pixels (${megapixels(pixels)}); the limit is ${megapixels(limits.maxPhotoPixels)}. Resize it and try again.`,
      { width, height },
    );
  }
}

/**
 * What a file may hold besides the picture that is used: at most `maxStreams` streams, at most
 * `maxVideoStreams` video streams (cover pictures count), and every video stream other than the one used
 * within the role's pixel limits. ffmpeg decodes a picture of every stream whenever it opens a file (to read
 * the streams' parameters), so a hidden extra stream costs memory at every open even though it is never used.
 * The stream that is used (the first video stream that is not a cover) is checked by checkPhoto/checkVideo.
 * `sizesKnown`: the sizes come from decoding (ffprobe's full read); a stream whose size could not be read is
 * then refused too. From the container's headers only, a size may be missing (a cover picture's is).
 */
export function checkStreams(streams: readonly StreamSummary[], role: 'photo' | 'video', limits: MediaLimits, sizesKnown: boolean): void {
  const who = role === 'photo' ? 'The photo' : 'The driving video';
  const fix = role === 'photo' ? 'Save it again as a plain JPEG or PNG and try again.' : 'Export it with one video track (and its sound) and try again.';
  if (streams.length > limits.maxStreams) {
    throw new InputError(
      'too-many-streams',
      `${who} holds ${streams.length} streams (tracks); Marionette reads files with at most ${limits.maxStreams}. ${fix}`,
      {
        streams: streams.length,
      },
    );
  }
  const video = streams.filter((s) => s.type === 'video');
  if (video.length > limits.maxVideoStreams) {
    throw new InputError(
      'too-many-streams',
      `${who} holds ${video.length} video streams (cover pictures count); Marionette reads files with at most ${limits.maxVideoStreams}. ${fix}`,
      { videoStreams: video.length },
    );
  }
  const used = video.find((s) => !s.attachedPicture);
  const maxPixels = role === 'photo' ? limits.maxPhotoPixels : limits.maxVideoPixels;
  for (const s of video) {
    if (s === used) continue;
    const what = s.attachedPicture ? 'a cover picture' : 'another video stream';
    if (s.width <= 0 || s.height <= 0) {
      if (!sizesKnown) continue;
      throw new InputError(
        role === 'photo' ? 'unreadable-image' : 'unreadable-video',
        `${who} holds ${what} (stream ${s.index}, ${s.codec}) whose picture cannot be read. ${fix}`,
        {
          stream: s.index,
          codec: s.codec,
        },
      );
    }
    if (s.width * s.height > maxPixels || Math.max(s.width, s.height) > limits.maxSide) {
      throw new InputError(
        role === 'photo' ? 'image-too-large' : 'video-too-large',
        `${who} holds ${what} (stream ${s.index}) of ${s.width}×${s.height} pixels, over the limit of ${megapixels(maxPixels)} ` +
          `and ${limits.maxSide} pixels a side. ${fix}`,
        { stream: s.index, width: s.width, height: s.height },
      );
    }
  }
}

export interface CheckedVideo {
  readonly stream: VideoStreamInfo;
  readonly fps: number;
  /** Best estimate before decoding; decoding counts the real number. */
  readonly estimatedFrames: number | null;
}

export function checkVideo(info: MediaInfo, limits: MediaLimits): CheckedVideo {
  const v = info.video;
  if (!v) {
    const what = info.audio ? 'only audio' : 'no video stream';
    throw new InputError('no-video-stream', `The driving video has ${what}; give a clip with moving pictures.`);
  }
  if (v.width <= 0 || v.height <= 0) throw new InputError('unreadable-video', 'The driving video has a video stream without a readable picture size.');
  checkSides('The driving video', v, limits);
  const pixels = v.width * v.height;
  if (pixels > limits.maxVideoPixels) {
    throw new InputError(
      'video-too-large',
      `The driving video is ${v.width}×${v.height} pixels per frame; the limit is ${megapixels(limits.maxVideoPixels)}. Scale it down and try again.`,
    );
  }
  if (!v.frameRate) {
    throw new InputError('bad-frame-rate', 'The driving video has no usable frame rate; re-export it at a normal rate such as 25 or 30 fps.');
  }
  const fps = rationalValue(v.frameRate);
  if (fps < 1 || fps > limits.maxFrameRate) {
    throw new InputError(
      'bad-frame-rate',
      `The driving video runs at ${+fps.toFixed(2)} frames per second; Marionette accepts 1 to ${limits.maxFrameRate}. Re-export ` +
        `it at a normal rate such as 25 or 30 fps.`,
      { fps },
    );
  }
  if (info.durationSeconds !== null && info.durationSeconds > limits.maxDurationSeconds) {
    throw new InputError(
      'video-too-long',
      `The driving video is ${formatSeconds(info.durationSeconds)} long; the limit is ${formatSeconds(limits.maxDurationSeconds)}. Trim it and try again.`,
      { duration: info.durationSeconds },
    );
  }
  if (v.frameCount !== null && v.frameCount > limits.maxFrames) {
    throw new InputError('too-many-frames', tooManyFrames(v.frameCount, limits), { frames: v.frameCount });
  }
  return { stream: v, fps, estimatedFrames: v.frameCount };
}

/** `frames` null: the count is not known, only that decoding passed the limit. */
export function tooManyFrames(frames: number | null, limits: MediaLimits): string {
  return frames === null
    ? `The driving video has more than ${limits.maxFrames} frames, the limit. Trim it or lower its frame rate.`
    : `The driving video has ${frames} frames; the limit is ${limits.maxFrames}. Trim it or lower its frame rate.`;
}

function checkSides(who: string, v: { readonly width: number; readonly height: number }, limits: MediaLimits): void {
  const short = Math.min(v.width, v.height);
  const long = Math.max(v.width, v.height);
  if (short < limits.minSide) {
    throw new InputError('bad-dimensions', `${who} is ${v.width}×${v.height} pixels; each side needs at least ${limits.minSide} pixels.`);
  }
  if (long > limits.maxSide) {
    throw new InputError('bad-dimensions', `${who} is ${v.width}×${v.height} pixels; no side may exceed ${limits.maxSide} pixels.`);
  }
}

function megapixels(pixels: number): string {
  return `${+(pixels / 1e6).toFixed(1)} megapixels`;
}
