import type { NetworkBuilder, Tensor } from '../../onnx-builder/network-builder.js';

/**
 * FOMM's coordinate conventions (geometry.py): keypoints on a [-1, 1] grid, x then y, where -1 and 1 are the
 * centres of the first and last pixel (grid_sample with align_corners=True).
 */

/** [h, w, 2] (x, y) pixel-centre coordinates, computed as numpy does in float32: 2·(i / (n − 1)) − 1. */
export function coordinateGrid(h: number, w: number): Float32Array {
  const f = Math.fround;
  const axis = (n: number) => Float32Array.from({ length: n }, (_, i) => f(f(2 * f(i / (n - 1))) - 1));
  const xs = axis(w);
  const ys = axis(h);
  const grid = new Float32Array(h * w * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      grid[(y * w + x) * 2] = xs[x]!;
      grid[(y * w + x) * 2 + 1] = ys[y]!;
    }
  }
  return grid;
}

/** The shape [N, ...rest] where N is `like`'s first dimension (for Expand to the batch). */
export function batchShape(b: NetworkBuilder, like: Tensor, rest: readonly number[]): Tensor {
  const n = b.op('Shape', [like], { start: { type: 'int', value: 0 }, end: { type: 'int', value: 1 } });
  return b.op('Concat', [n, b.int64s([...rest])], { axis: { type: 'int', value: 0 } });
}

/** Closed-form inverses of [N, K, 2, 2] matrices: 1/(ad − bc) · [[d, −b], [−c, a]] (torch.inverse has no ONNX export). */
export function inverse2x2(b: NetworkBuilder, m: Tensor, k: number): Tensor {
  const flat = b.op('Reshape', [m, b.int64s([-1, k, 4])]);
  const [a, bb, c, d] = [0, 1, 2, 3].map((i) => b.op('Slice', [flat, b.int64s([i]), b.int64s([i + 1]), b.int64s([2])]));
  const det = b.op('Sub', [b.op('Mul', [a!, d!]), b.op('Mul', [bb!, c!])]);
  const adjugate = b.op('Concat', [d!, b.op('Neg', [bb!]), b.op('Neg', [c!]), a!], { axis: { type: 'int', value: 2 } });
  return b.op('Reshape', [b.op('Div', [adjugate, det]), b.int64s([-1, k, 2, 2])]);
}
