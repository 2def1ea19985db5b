import type { Value } from '../onnx-builder/graph-builder.js';
import type { Ops } from './graph-helpers.js';

/**
 * The demo model's notion of "the object": pixels that differ from the
 * background colour, where the background colour is the mean of a thin band
 * along the frame's border. Shared by the keypoint detector and the generator
 * so both see the same object.
 */
export const BORDER_BAND_PIXELS = 2;
/** A pixel whose largest channel differs from the background by less than this is background… */
export const FOREGROUND_LOW = 0.08;
/** …and by more than this is fully foreground (soft in between). */
export const FOREGROUND_HIGH = 0.2;

export interface Foreground {
  /** Background colour [N,3,1,1]. */
  readonly background: Value;
  /** Soft foreground weight in 0..1 [N,1,H,W]. */
  readonly weight: Value;
}

export function foreground(o: Ops, image: Value, height: number, width: number): Foreground {
  const b = BORDER_BAND_PIXELS;
  const bands = [o.slice(image, 0, b, 2), o.slice(image, height - b, height, 2), o.slice(image, 0, b, 3), o.slice(image, width - b, width, 3)].map((band) =>
    o.mean(band, [2, 3]),
  );
  const background = o.mul(o.add(o.add(bands[0]!, bands[1]!), o.add(bands[2]!, bands[3]!)), 0.25);
  const difference = o.maxOver(o.abs(o.sub(image, background)), [1]);
  const weight = o.clip(o.mul(o.sub(difference, FOREGROUND_LOW), 1 / (FOREGROUND_HIGH - FOREGROUND_LOW)), 0, 1);
  return { background, weight };
}

/** FOMM's coordinate grid: x (or y) from −1 to 1 across pixel centres. */
export function linspace(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? 0 : (2 * i) / (n - 1) - 1));
}
