import { BACKGROUND, KNOB_COLOUR } from '../../src/demo/synthetic-media.js';

/**
 * Measures the test shape in an RGB24 frame, independently of the model: the
 * shape is every pixel far from the background colour, the knob every pixel
 * close to the knob colour. Coordinates in FOMM's −1..1 grid.
 */
export interface ShapeMeasure {
  readonly cx: number;
  readonly cy: number;
  /** Direction from the shape's centroid to the knob's centroid, radians. */
  readonly angle: number;
  /** Shape pixels. */
  readonly area: number;
}

export function measureShape(frame: Uint8Array, width: number, height: number, background = BACKGROUND, knob = KNOB_COLOUR): ShapeMeasure {
  let n = 0,
    sx = 0,
    sy = 0,
    kn = 0,
    kx = 0,
    ky = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const r = frame[o]!,
        g = frame[o + 1]!,
        b = frame[o + 2]!;
      const gx = (2 * x) / (width - 1) - 1;
      const gy = (2 * y) / (height - 1) - 1;
      if (Math.max(Math.abs(r - background[0]), Math.abs(g - background[1]), Math.abs(b - background[2])) > 60) {
        n++;
        sx += gx;
        sy += gy;
      }
      if (Math.max(Math.abs(r - knob[0]), Math.abs(g - knob[1]), Math.abs(b - knob[2])) < 50) {
        kn++;
        kx += gx;
        ky += gy;
      }
    }
  }
  if (n === 0 || kn === 0) throw new Error(`shape not found (shape pixels ${n}, knob pixels ${kn})`);
  const cx = sx / n,
    cy = sy / n;
  return { cx, cy, angle: Math.atan2(ky / kn - cy, kx / kn - cx), area: n };
}

/** Smallest signed difference between two angles. */
export function angleDiff(a: number, b: number): number {
  let d = a - b;
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d < -Math.PI) d += 2 * Math.PI;
  return d;
}
