/**
 * Area of the convex hull of 2-D points given as interleaved [x0, y0, x1, y1, …]
 * (Andrew's monotone chain, then the shoelace formula). Fewer than three points,
 * or collinear points, have area 0 — the hull is degenerate.
 */
export function convexHullArea(points: ArrayLike<number>): number {
  const n = Math.floor(points.length / 2);
  if (n < 3) return 0;
  const pts: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) pts.push([points[2 * i]!, points[2 * i + 1]!]);
  pts.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Array<[number, number]> = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Array<[number, number]> = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  if (hull.length < 3) return 0;
  let twice = 0;
  for (let i = 0; i < hull.length; i++) {
    const [x1, y1] = hull[i]!;
    const [x2, y2] = hull[(i + 1) % hull.length]!;
    twice += x1 * y2 - x2 * y1;
  }
  return Math.abs(twice) / 2;
}
