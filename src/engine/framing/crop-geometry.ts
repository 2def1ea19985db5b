import type { Size } from '../media/crop.js';
import type { Box } from './box.js';

/**
 * Where the model looks, as a region of the frame with the model's aspect ratio. A region may reach past the
 * frame (the part outside is padded, never squeezed). Pure.
 */
export const FACE_INCREASE = 0.1;

/**
 * crop-video.py's compute_bbox: the face box grown by `increase` on every side and made square (its longer side
 * × (1 + 2·increase), centred on the box), then kept in the frame: moved inside where it fits, and where it is
 * larger than the frame on an axis, placed to cover that axis whole (the rest is padding).
 */
export function faceRegion(face: Box, frame: Size, target: Size, increase = FACE_INCREASE): Box {
  const side = (1 + 2 * increase) * Math.max(face.width, face.height);
  const aspect = target.width / target.height;
  const width = aspect >= 1 ? side * aspect : side;
  const height = aspect >= 1 ? side : side / aspect;
  const x = placeOnAxis(face.x + face.width / 2 - width / 2, width, frame.width);
  const y = placeOnAxis(face.y + face.height / 2 - height / 2, height, frame.height);
  return roundRegion({ x, y, width, height });
}

/** The whole frame fitted into the target's shape: the smallest centred region holding it (padded, not cut). */
export function wholeRegion(frame: Size, target: Size): Box {
  const aspect = target.width / target.height;
  const width = Math.max(frame.width, frame.height * aspect);
  const height = width / aspect;
  return roundRegion({ x: (frame.width - width) / 2, y: (frame.height - height) / 2, width, height });
}

function placeOnAxis(start: number, length: number, frameLength: number): number {
  return length <= frameLength ? clamp(start, 0, frameLength - length) : clamp(start, frameLength - length, 0);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Whole pixels: the position rounded down, the size rounded, at least one pixel. */
function roundRegion(r: Box): Box {
  return { x: Math.floor(r.x), y: Math.floor(r.y), width: Math.max(1, Math.round(r.width)), height: Math.max(1, Math.round(r.height)) };
}

export function insideFrame(r: Box, frame: Size): boolean {
  return r.x >= 0 && r.y >= 0 && r.x + r.width <= frame.width && r.y + r.height <= frame.height;
}

/** Whether the whole of `inner` lies in `outer` (the face in its crop). */
export function contains(outer: Box, inner: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}
