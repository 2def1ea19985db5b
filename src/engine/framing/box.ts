/** A box in pixels of some frame: left, top, width, height (fractions allowed). */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A detected face: its box in the frame's pixels and the detector's confidence (0..1). */
export interface Face extends Box {
  readonly score: number;
}

export function area(b: Box): number {
  return Math.max(0, b.width) * Math.max(0, b.height);
}

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union; 0 for boxes that do not meet. */
export function iou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** The smallest box holding both. */
export function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

export function scaleBox<T extends Box>(b: T, sx: number, sy: number): T {
  return { ...b, x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy };
}

/** Rounded to hundredths of a pixel, for reports. */
export function roundBox<T extends Box>(b: T): T {
  const r = (v: number) => Math.round(v * 100) / 100;
  return { ...b, x: r(b.x), y: r(b.y), width: r(b.width), height: r(b.height) };
}
