import { fusedDot, float32RoundingUncertain } from './exact-arithmetic.js';

/**
 * Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, 2016) for the generator's residual blocks: the fixed
 * transforms and the transformed weights (the Python converter's winograd.py).
 */
/** Lavin & Gray's F(4, 3) matrices (interpolation points 0, ±1, ±2, ∞). */
const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];
export const WINOGRAD_TILE = 4;
export const WINOGRAD_SPAN = 6;

/**
 * G·g·Gᵀ of every 3×3 kernel g of [O, C, 3, 3] (output channel o scaled by scale[o] in float64), laid out
 * [36, O, C] as the MatMul takes it, rounded to
 * float32 as the Python converter's torch.einsum("ay,oiyx,bx->aboi") gives them. Its BLAS contracts the rows
 * first, then the columns, each as a chain of fused multiply-adds; a kernel of float32 values (one without a
 * folded batch norm) often lands exactly between two float32 numbers, where that rounding decides. Such values
 * are recomputed exactly that way; the others, whatever the order, round alike.
 */
export function winogradWeights(weight: Float32Array, scale: Float64Array, inputs: number): Float32Array {
  const out = scale.length;
  const result = new Float32Array(36 * out * inputs);
  const t = new Float64Array(18);
  const size = new Float64Array(18);
  const g = new Float64Array(9);
  for (let oi = 0; oi < out * inputs; oi++) {
    const s = scale[Math.floor(oi / inputs)]!;
    for (let j = 0; j < 9; j++) g[j] = weight[oi * 9 + j]! * s;
    for (let a = 0; a < 6; a++) {
      const row = G[a]!;
      for (let x = 0; x < 3; x++) {
        t[a * 3 + x] = row[0]! * g[x]! + row[1]! * g[3 + x]! + row[2]! * g[6 + x]!;
        size[a * 3 + x] = Math.abs(row[0]! * g[x]!) + Math.abs(row[1]! * g[3 + x]!) + Math.abs(row[2]! * g[6 + x]!);
      }
    }
    for (let a = 0; a < 6; a++) {
      for (let b = 0; b < 6; b++) {
        const col = G[b]!;
        let value = t[a * 3]! * col[0]! + t[a * 3 + 1]! * col[1]! + t[a * 3 + 2]! * col[2]!;
        const magnitude = Math.abs(col[0]!) * size[a * 3]! + Math.abs(col[1]!) * size[a * 3 + 1]! + Math.abs(col[2]!) * size[a * 3 + 2]!;
        if (float32RoundingUncertain(value, magnitude * 2 ** -40)) value = exactlyAsTorch(g, a, b);
        result[(a * 6 + b) * out * inputs + oi] = value;
      }
    }
  }
  return result;
}

/** Element (a, b) of G·g·Gᵀ as torch.einsum's BLAS computes it: FMA chains over the rows, then the columns. */
function exactlyAsTorch(g: Float64Array, a: number, b: number): number {
  const rows = [0, 1, 2].map((x) => fusedDot(G[a]!, [g[x]!, g[3 + x]!, g[6 + x]!]));
  return fusedDot(rows, G[b]!);
}

/** The input transform as grouped-convolution kernels [C·36, 1, 6, 6]: kernel (i, j) of each channel is Bᵀ[i]ᵀ·Bᵀ[j]. */
export function winogradInputTransform(channels: number): Float32Array {
  const one = new Float32Array(36 * 36);
  for (let i = 0; i < 6; i++)
    for (let j = 0; j < 6; j++) for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) one[(i * 6 + j) * 36 + y * 6 + x] = BT[i]![y]! * BT[j]![x]!;
  const out = new Float32Array(channels * one.length);
  for (let c = 0; c < channels; c++) out.set(one, c * one.length);
  return out;
}

/** The output transform [16, 36]: tile pixel (p, q) from the 36 products (i, j), Aᵀ[p][i]·Aᵀ[q][j]. */
export function winogradOutputTransform(): Float32Array {
  const out = new Float32Array(16 * 36);
  for (let p = 0; p < 4; p++)
    for (let q = 0; q < 4; q++) for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) out[(p * 4 + q) * 36 + i * 6 + j] = AT[p]![i]! * AT[q]![j]!;
  return out;
}
