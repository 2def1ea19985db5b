import { iou, type Face } from './box.js';
import { TINY_FACE_ANCHORS } from './tiny-face-graph.js';

/**
 * From the tiny face detector's output grid to faces, as face-api's TinyYolov2Base.extractBoxes and its
 * non-maximum suppression do it. Pure.
 */
export const TINY_FACE_SCORE_THRESHOLD = 0.5;
export const TINY_FACE_IOU_THRESHOLD = 0.4;
const FIELDS = 5;

export interface GridInput {
  /** One image's grid, NCHW without N: [25, cells, cells]. */
  readonly grid: Float32Array;
  readonly cells: number;
  /** The detector's input side S. */
  readonly inputSize: number;
  /** The picture's size inside the S×S input (the rest is padding, right and bottom). */
  readonly fitted: { readonly width: number; readonly height: number };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * Faces in the picture's own coordinates as fractions (0..1 of its width and height), best first, after
 * non-maximum suppression; scale them by the frame's size to get pixels.
 */
export function decodeTinyFaceGrid(input: GridInput, scoreThreshold = TINY_FACE_SCORE_THRESHOLD): Face[] {
  const { grid, cells, inputSize, fitted } = input;
  const fx = inputSize / fitted.width;
  const fy = inputSize / fitted.height;
  const plane = cells * cells;
  const found: Face[] = [];
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      for (let a = 0; a < TINY_FACE_ANCHORS.length; a++) {
        const at = (field: number) => grid[(a * FIELDS + field) * plane + row * cells + col]!;
        const score = sigmoid(at(4));
        if (!(score > scoreThreshold)) continue;
        const [aw, ah] = TINY_FACE_ANCHORS[a]!;
        const cx = ((col + sigmoid(at(0))) / cells) * fx;
        const cy = ((row + sigmoid(at(1))) / cells) * fy;
        const w = ((Math.exp(at(2)) * aw) / cells) * fx;
        const h = ((Math.exp(at(3)) * ah) / cells) * fy;
        found.push({ x: cx - w / 2, y: cy - h / 2, width: w, height: h, score });
      }
    }
  }
  return nonMaxSuppression(found, TINY_FACE_IOU_THRESHOLD);
}

/** Greedy non-maximum suppression: the best box wins, boxes overlapping it by more than the threshold go. */
export function nonMaxSuppression(faces: readonly Face[], threshold: number): Face[] {
  const left = [...faces].sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  while (left.length > 0) {
    const best = left.shift()!;
    kept.push(best);
    for (let i = left.length - 1; i >= 0; i--) if (iou(best, left[i]!) > threshold) left.splice(i, 1);
  }
  return kept;
}
