import type { Size } from '../media/crop.js';

/** What size the clip is: the photo's own (capped on its long side), the model's square, or the photo's capped at N. */
export type OutputSize = 'photo' | 'model' | number;

/** The default cap on the long side of a clip at the photo's size. */
export const DEFAULT_MAX_SIDE = 1280;
export const MIN_MAX_SIDE = 16;
export const MAX_MAX_SIDE = 4096;

/**
 * The clip's frame size: the photo's aspect ratio with its long side at most `maxSide` (never enlarged), both sides
 * even (yuv420p needs them so). Pure.
 */
export function photoOutputSize(photo: Size, maxSide = DEFAULT_MAX_SIDE): Size {
  const scale = Math.min(1, maxSide / Math.max(photo.width, photo.height));
  const even = (v: number) => Math.max(2, 2 * Math.floor((v * scale) / 2 + 1e-9));
  return { width: even(photo.width), height: even(photo.height) };
}

export function resolveOutputSize(setting: OutputSize, photo: Size, model: Size): Size {
  if (setting === 'model') return model;
  return photoOutputSize(photo, setting === 'photo' ? DEFAULT_MAX_SIDE : setting);
}
