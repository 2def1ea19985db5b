import { area, iou, union, type Box, type Face } from './box.js';

/**
 * Following the driving video's face, as the official first-order-model crop-video.py does: the track keeps its
 * first box; a later box continues it when its overlap (IoU) with that first box is over 0.25; the crop is made
 * from the union of the track's boxes. Where crop-video.py ends the track at the first frame without such a box,
 * this one keeps it and records the stretches where the face was lost (the clip keeps one crop throughout).
 * Pure: frames are offered in order with the faces found in them.
 */
export const IOU_WITH_INITIAL = 0.25;

/** Frames (inclusive) where the followed face was not found. */
export interface FrameRange {
  readonly from: number;
  readonly to: number;
}

export interface TrackSummary {
  /** The first box of the track, null when no face was ever found. */
  readonly first: Face | null;
  /** The union of the track's boxes. */
  readonly union: Box | null;
  /** Frames looked at (those the detector ran on), and those where the followed face was found. */
  readonly framesLookedAt: number;
  readonly framesWithFace: number;
  readonly lost: readonly FrameRange[];
  /** The most faces seen in one frame. */
  readonly mostFaces: number;
}

export class FaceTrack {
  private first: Face | null = null;
  private joined: Box | null = null;
  private looked = 0;
  private found = 0;
  private mostFaces = 0;
  private readonly lost: FrameRange[] = [];
  private lostFrom: number | null = null;
  private lastIndex = -1;

  /** `step`: frames from this one to the next one looked at (the detection stride), for the lost stretches' ends. */
  constructor(private readonly step = 1) {}

  offer(index: number, faces: readonly Face[]): void {
    this.looked += 1;
    this.lastIndex = index;
    this.mostFaces = Math.max(this.mostFaces, faces.length);
    const match = this.first === null ? largest(faces) : bestOverlap(this.first, faces);
    if (!match) {
      this.lostFrom ??= index;
      return;
    }
    this.closeLost(index - 1);
    this.first ??= match;
    this.joined = this.joined ? union(this.joined, match) : match;
    this.found += 1;
  }

  summary(): TrackSummary {
    this.closeLost(this.lastIndex + this.step - 1);
    return {
      first: this.first,
      union: this.joined,
      framesLookedAt: this.looked,
      framesWithFace: this.found,
      lost: [...this.lost],
      mostFaces: this.mostFaces,
    };
  }

  private closeLost(to: number): void {
    if (this.lostFrom === null) return;
    this.lost.push({ from: this.lostFrom, to: Math.max(this.lostFrom, to) });
    this.lostFrom = null;
  }
}

/** The largest face (the photo's rule, and a track's start when a frame shows several). */
export function largest<T extends Box>(faces: readonly T[]): T | null {
  let best: T | null = null;
  for (const f of faces) if (!best || area(f) > area(best)) best = f;
  return best;
}

function bestOverlap(first: Box, faces: readonly Face[]): Face | null {
  let best: Face | null = null;
  let bestIou = IOU_WITH_INITIAL;
  for (const f of faces) {
    const o = iou(first, f);
    if (o > bestIou) {
      best = f;
      bestIou = o;
    }
  }
  return best;
}
