/** What ffprobe told us about a file, reduced to what the engine uses. */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

export interface VideoStreamInfo {
  readonly codec: string;
  /** Size as displayed, after rotation metadata is applied. */
  readonly width: number;
  readonly height: number;
  /** Clockwise rotation to apply for display, 0/90/180/270. */
  readonly rotation: number;
  readonly pixelFormat: string;
  /** The rate generated frames are written at (average, else nominal, frame rate); null when unknown. */
  readonly frameRate: Rational | null;
  /** Frames as counted in the header, else estimated from duration × rate; null when unknown. */
  readonly frameCount: number | null;
  readonly frameCountExact: boolean;
}

export interface AudioStreamInfo {
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
}

/** One stream of the file as ffprobe lists it, for the checks on what a file may hold. */
export interface StreamSummary {
  readonly index: number;
  /** ffprobe's codec_type: video, audio, subtitle, data, attachment… */
  readonly type: string;
  readonly codec: string;
  /** Picture size of a video stream as stored (0 when it could not be read). */
  readonly width: number;
  readonly height: number;
  /** A cover picture (attached_pic), not moving pictures. */
  readonly attachedPicture: boolean;
}

export interface MediaInfo {
  readonly formatName: string;
  /** The demuxer chosen from the file's magic bytes; every later open uses it. */
  readonly demuxer: string;
  readonly sizeBytes: number;
  readonly durationSeconds: number | null;
  readonly video: VideoStreamInfo | null;
  readonly audio: AudioStreamInfo | null;
  /** Every stream in the file (absent where MediaInfo was made by hand). */
  readonly streams?: readonly StreamSummary[];
}

export function rationalValue(r: Rational): number {
  return r.num / r.den;
}

export function parseRational(text: unknown): Rational | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return null;
  const num = Number(m[1]);
  const den = Number(m[2]);
  if (!(num > 0) || !(den > 0)) return null;
  return { num, den };
}

export function rationalString(r: Rational): string {
  return `${r.num}/${r.den}`;
}
