import type { Size } from '../media/crop.js';
import { decodePhotoWith, decodeVideoFrames, type FrameBatch } from '../media/decode.js';
import type { MediaLimits } from '../media/limits.js';
import type { MediaInfo } from '../media/media-info.js';
import type { InferenceWorker } from '../worker/inference-worker.js';
import { area, intersection, scaleBox, type Box, type Face } from './box.js';
import { FaceTrack, type TrackSummary } from './face-track.js';
import { decodeTinyFaceGrid, nonMaxSuppression, TINY_FACE_IOU_THRESHOLD } from './tiny-face-decode.js';

/**
 * Finding faces (I/O): the photo, and the driving video in one streaming pass (frames are decoded small, one in
 * `every`, detected in batches and forgotten: memory does not grow with the video's length). The detector runs in
 * the inference worker; boxes come back in the input's own pixels.
 */
export const PHOTO_DETECTOR_SIZE = 416;
/** The photo is looked at whole at these sizes (the tiny detector is sensitive to scale: one face can score 0.34 at 416 and 0.91 at 320). */
export const PHOTO_DETECTOR_SIZES = [320, 416, 512] as const;
export const VIDEO_DETECTOR_SIZE = 320;
/** Detections per second of video the framing pass aims for (the official crop-video.py looks at every frame). */
export const DETECTIONS_PER_SECOND = 8;
const VIDEO_BATCH = 8;

export interface DetectorContext {
  readonly worker: InferenceWorker;
  readonly cpuThreads: number;
  readonly signal: AbortSignal | undefined;
}

/** The picture's size inside the detector's S×S input, as face-api computes it (the long side S, rounded). */
export function fittedSize(frame: Size, inputSize: number): Size {
  const scale = inputSize / Math.max(frame.width, frame.height);
  return { width: Math.max(1, Math.round(frame.width * scale)), height: Math.max(1, Math.round(frame.height * scale)) };
}

/** ffmpeg filters making the detector's input: fitted into S×S, padded right and bottom with black (face-api's padToSquare). */
export function detectorFilters(frame: Size, inputSize: number): string[] {
  const f = fittedSize(frame, inputSize);
  return [`scale=${f.width}:${f.height}:flags=bilinear`, `pad=${inputSize}:${inputSize}:0:0:black`, 'setsar=1'];
}

/** `frames`: each picture's own frame size (one for all, or one per picture). */
async function detect(
  ctx: DetectorContext,
  pictures: Uint8Array,
  count: number,
  inputSize: number,
  frames: Size | readonly Size[],
): Promise<{ faces: Face[][]; ms: number }> {
  const r = await ctx.worker.request('faces', { pictures, count, inputSize, cpuThreads: ctx.cpuThreads }, [pictures.buffer as ArrayBuffer]);
  const per = 25 * r.cells * r.cells;
  const faces = Array.from({ length: count }, (_, n) => {
    const frame = Array.isArray(frames) ? (frames[n] as Size) : (frames as Size);
    const fitted = fittedSize(frame, inputSize);
    return decodeTinyFaceGrid({ grid: r.grids.subarray(n * per, (n + 1) * per), cells: r.cells, inputSize, fitted }).map((f) =>
      scaleBox(f, frame.width, frame.height),
    );
  });
  return { faces, ms: r.detectMs };
}

/**
 * The photo's faces, best first, in its shown pixels (EXIF orientation applied). The whole photo is looked at
 * first; where that finds no face big enough and the photo is large, overlapping tiles of half its long side are
 * looked at too (a face a tenth of a big photo's side is too small for the detector at 416 px).
 */
export async function findPhotoFaces(ctx: DetectorContext, path: string, info: MediaInfo, shown: Size, minSide: number): Promise<Face[]> {
  const all: Face[] = [];
  for (const S of PHOTO_DETECTOR_SIZES) all.push(...(await detectRegions(ctx, path, info, [{ x: 0, y: 0, ...shown }], S)));
  const whole = suppressContained(nonMaxSuppression(all, TINY_FACE_IOU_THRESHOLD));
  if (whole.some((f) => Math.max(f.width, f.height) >= minSide)) return whole;
  const tiles = photoTiles(shown, PHOTO_DETECTOR_SIZE);
  if (tiles.length === 0) return whole;
  return suppressContained([...whole, ...(await detectRegions(ctx, path, info, tiles, PHOTO_DETECTOR_SIZE))]);
}

/** Overlapping square tiles of half the long side (half a tile apart), for a photo more than twice the detector's size. */
export function photoTiles(frame: Size, inputSize: number): Box[] {
  const side = Math.round(Math.max(frame.width, frame.height) / 2);
  if (side <= inputSize) return [];
  const starts = (length: number) => {
    if (length <= side) return [0];
    const n = Math.ceil((length - side) / (side / 2)) + 1;
    return Array.from({ length: n }, (_, i) => Math.round(((length - side) * i) / (n - 1)));
  };
  return starts(frame.height).flatMap((y) =>
    starts(frame.width).map((x) => ({ x, y, width: Math.min(side, frame.width - x), height: Math.min(side, frame.height - y) })),
  );
}

/** Each region of the photo fitted into the detector's input, all decoded at once (one ffmpeg run, stacked). */
async function detectRegions(ctx: DetectorContext, path: string, info: MediaInfo, regions: readonly Box[], S: number): Promise<Face[]> {
  const chain = (r: Box) => [`crop=${r.width}:${r.height}:${r.x}:${r.y}`, ...detectorFilters(r, S)].join(',');
  const n = regions.length;
  const split = `format=rgb24,split=${n}${regions.map((_, i) => `[i${i}]`).join('')}`;
  const stack = `${regions.map((_, i) => `[o${i}]`).join('')}vstack=inputs=${n}`;
  // One filter graph: the photo split, each copy cropped and fitted, the pictures stacked (each S×S picture contiguous).
  const graph = () => (n === 1 ? ['format=rgb24', chain(regions[0]!)] : [[split, ...regions.map((r, i) => `[i${i}]${chain(r)}[o${i}]`), stack].join(';')]);
  const pictures = await decodePhotoWith(path, info, { width: S, height: S * regions.length }, graph, ctx.signal);
  const copy = pictures.byteOffset === 0 && pictures.byteLength === pictures.buffer.byteLength ? pictures : pictures.slice();
  const found = await detect(ctx, copy, regions.length, S, regions);
  return found.faces.flatMap((faces, i) => faces.map((f) => ({ ...f, x: f.x + regions[i]!.x, y: f.y + regions[i]!.y })));
}

/** Drops a box mostly inside a better-scoring one (a face cut by a tile's edge, found again whole in the next tile). */
export function suppressContained(faces: readonly Face[]): Face[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  for (const f of sorted) if (!kept.some((k) => intersection(k, f) > 0.5 * Math.min(area(k), area(f)))) kept.push(f);
  return kept;
}

export interface VideoPass {
  readonly track: TrackSummary;
  readonly every: number;
}

/** One pass over the driving video: one frame in `every` detected, the first face followed (face-track.ts). */
export async function followVideoFace(
  ctx: DetectorContext,
  path: string,
  info: MediaInfo,
  limits: MediaLimits,
  onFrames: (count: number) => void,
): Promise<VideoPass> {
  const stream = info.video!;
  const rate = stream.frameRate ? stream.frameRate.num / stream.frameRate.den : 25;
  const every = Math.max(1, Math.floor(rate / DETECTIONS_PER_SECOND));
  const S = VIDEO_DETECTOR_SIZE;
  const frame: Size = { width: stream.width, height: stream.height };
  const track = new FaceTrack(every);
  const batches = decodeVideoFrames(path, info, {
    target: { width: S, height: S },
    crop: () => ({ x: 0, y: 0, ...frame }),
    filters: (size) => detectorFilters(size, S),
    keepEvery: every,
    limits,
    batchSize: VIDEO_BATCH,
    signal: ctx.signal,
  });
  let pending: Promise<void> = Promise.resolve();
  for await (const batch of batches as AsyncIterable<FrameBatch>) {
    const request = detect(ctx, batch.frames, batch.count, S, frame);
    request.catch(() => undefined); // awaited in order below
    await pending;
    pending = request.then(({ faces }) => {
      faces.forEach((f, n) => track.offer((batch.start + n) * every, f));
      onFrames(batch.count * every);
    });
  }
  await pending;
  return { track: track.summary(), every };
}
