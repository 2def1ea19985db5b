import { resolveFfmpeg } from '../engine/media/ffmpeg-path.js';
import { pipeToProcess } from '../engine/media/process.js';

/**
 * Synthetic media for the demo and the tests, drawn in code and encoded with the real ffmpeg: an
 * asymmetric shape (a bar with a knob at one end, so its orientation is
 * readable through a full turn) on a plain background.
 */
export interface ShapePose {
  /** Centre in −1..1 frame coordinates (FOMM's grid convention). */
  readonly cx: number;
  readonly cy: number;
  /** Radians, in image axes (x right, y down): positive turns clockwise on screen. */
  readonly angle: number;
  readonly scale: number;
}

export const BACKGROUND: readonly [number, number, number] = [235, 235, 225];
export const SHAPE_COLOUR: readonly [number, number, number] = [30, 90, 200];
export const KNOB_COLOUR: readonly [number, number, number] = [220, 60, 40];

export interface ShapeColours {
  readonly background: readonly [number, number, number];
  readonly bar: readonly [number, number, number];
  readonly knob: readonly [number, number, number];
}

export const DEFAULT_COLOURS: ShapeColours = { background: BACKGROUND, bar: SHAPE_COLOUR, knob: KNOB_COLOUR };

/** Renders the shape at `pose` into a packed RGB24 frame (supersampled edges). */
export function renderShape(width: number, height: number, pose: ShapePose, colours: ShapeColours = DEFAULT_COLOURS): Uint8Array {
  const background = colours.background;
  const out = new Uint8Array(width * height * 3);
  const cos = Math.cos(pose.angle);
  const sin = Math.sin(pose.angle);
  const halfLength = 0.36 * pose.scale;
  const halfThickness = 0.11 * pose.scale;
  const knobRadius = 0.16 * pose.scale;
  const ss = 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const px = ((x + (sx + 0.5) / ss - 0.5) / (width - 1)) * 2 - 1;
          const py = ((y + (sy + 0.5) / ss - 0.5) / (height - 1)) * 2 - 1;
          const dx = px - pose.cx;
          const dy = py - pose.cy;
          const u = dx * cos + dy * sin; // along the bar
          const v = -dx * sin + dy * cos; // across
          let c = background;
          if (Math.abs(u) <= halfLength && Math.abs(v) <= halfThickness) c = colours.bar;
          if ((u - halfLength) ** 2 + v ** 2 <= knobRadius ** 2) c = colours.knob;
          r += c[0];
          g += c[1];
          b += c[2];
        }
      }
      const o = (y * width + x) * 3;
      out[o] = Math.round(r / (ss * ss));
      out[o + 1] = Math.round(g / (ss * ss));
      out[o + 2] = Math.round(b / (ss * ss));
    }
  }
  return out;
}

export interface VideoSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: number;
  readonly pose: (frame: number) => ShapePose;
  /** Add a sine tone as an audio track. */
  readonly audio?: boolean;
  readonly colours?: ShapeColours;
  /** ffmpeg output options (codec etc.); default H.264 yuv420p in MP4. */
  readonly codecArgs?: readonly string[];
}

/** Encodes a synthetic shape video with ffmpeg. */
export async function writeShapeVideo(path: string, spec: VideoSpec): Promise<void> {
  const { ffmpeg } = resolveFfmpeg();
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${spec.width}x${spec.height}`,
    '-framerate',
    String(spec.fps),
    '-i',
    'pipe:0',
  ];
  if (spec.audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.frames / spec.fps}`);
  args.push(...(spec.codecArgs ?? ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-pix_fmt', 'yuv420p']));
  if (spec.audio) args.push('-c:a', 'aac', '-shortest');
  args.push(path);
  function* frames(): Generator<Uint8Array> {
    for (let i = 0; i < spec.frames; i++) yield renderShape(spec.width, spec.height, spec.pose(i), spec.colours);
  }
  await pipeToProcess(ffmpeg, args, frames());
}

/** Writes one still image (format from the extension) of the shape. */
export async function writeShapeImage(
  path: string,
  width: number,
  height: number,
  pose: ShapePose,
  extraArgs: readonly string[] = [],
  colours: ShapeColours = DEFAULT_COLOURS,
): Promise<void> {
  const { ffmpeg } = resolveFfmpeg();
  await pipeToProcess(
    ffmpeg,
    ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', 'pipe:0', ...extraArgs, '-frames:v', '1', path],
    [renderShape(width, height, pose, colours)],
  );
}
