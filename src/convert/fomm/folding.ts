/**
 * The arithmetic on weights the conversion does, as pure functions: batch norms folded into the convolutions
 * before them, the four 2×2 kernels of a sub-pixel up-sampling block and the Winograd F(4×4, 3×3) transforms.
 * Each is computed as the Python converter computes it, so both write the same numbers: in float32 step by step
 * where PyTorch's exporter folds a batch norm (Math.fround after each operation, which is what float32
 * arithmetic gives), in float64 and rounded once where the converter's inference rewrites do.
 */
export interface BatchNorm {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/** PyTorch's BatchNorm2d epsilon. */
export const BATCH_NORM_EPSILON = 1e-5;

export interface Folded {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Conv then batch norm as one conv, as PyTorch's ONNX exporter folds them (eval_peephole.cpp, in float32):
 * scale = γ / sqrt(var + ε), W·scale, (b − mean)·scale + β.
 */
export function foldLikeExporter(weight: Float32Array, bias: Float32Array | null, norm: BatchNorm): Folded {
  const f = Math.fround;
  const out = norm.weight.length;
  const perOut = weight.length / out;
  const epsilon = f(BATCH_NORM_EPSILON);
  const scale = Float32Array.from(norm.weight, (g, o) => f(g / f(Math.sqrt(f(norm.variance[o]! + epsilon)))));
  const folded = new Float32Array(weight.length);
  // A product of two float32 numbers is exact in float64, so storing it rounds once, as float32 arithmetic does.
  for (let o = 0; o < out; o++) for (let i = o * perOut; i < (o + 1) * perOut; i++) folded[i] = weight[i]! * scale[o]!;
  const foldedBias = Float32Array.from(scale, (s, o) =>
    bias === null ? f(norm.bias[o]! - f(norm.mean[o]! * s)) : f(f(f(bias[o]! - norm.mean[o]!) * s) + norm.bias[o]!),
  );
  return { weight: folded, bias: foldedBias };
}

/**
 * A batch norm folded into the convolution before it, in float64 (the Python converter's rewrite_ops.fold_batch_norm):
 * each output channel's kernel scaled by γ / sqrt(var + ε) (applied where the kernel is read, by `kernel`), its bias
 * (b − mean)·scale + β. Without a norm, scale 1 and the bias as it is.
 */
export interface Float64Fold {
  /** Per output channel. */
  readonly scale: Float64Array;
  readonly bias: Float32Array;
}

export function foldInFloat64(bias: Float32Array, norm: BatchNorm | null): Float64Fold {
  const scale = new Float64Array(bias.length).fill(1);
  if (norm === null) return { scale, bias };
  const folded = new Float32Array(bias.length);
  for (let o = 0; o < bias.length; o++) {
    scale[o] = norm.weight[o]! / Math.sqrt(norm.variance[o]! + BATCH_NORM_EPSILON);
    folded[o] = (bias[o]! - norm.mean[o]!) * scale[o]! + norm.bias[o]!;
  }
  return { scale, bias: folded };
}

/** The phases (row a, column b) in the order the sub-pixel block computes and interleaves them. */
export const PHASES: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

/**
 * The 2×2 kernels [O, C, 2, 2] of the four phases of nearest 2× up-sampling then a 3×3 kernel [O, C, 3, 3] (its
 * output channel o scaled by scale[o] in float64), rounded to float32. Output row 2i + a reads input rows (i − 1, i)
 * with taps (w0, w1 + w2) for a = 0, rows (i, i + 1) with taps (w0 + w1, w2) for a = 1; columns alike. Summed as
 * torch.einsum("ty,oiyx,sx->oits") sums them: over the kernel's rows first, then its columns.
 */
export function subpixelKernels(weight: Float32Array, scale: Float64Array, inputs: number): Float32Array[] {
  const out = scale.length;
  const kernels = PHASES.map(() => new Float32Array(out * inputs * 4));
  // Row sums per column x: rows 0 | 1 + 2 (phase a = 0), rows 0 + 1 | 2 (a = 1).
  const rows = new Float64Array(12);
  for (let o = 0; o < out; o++) {
    const s = scale[o]!;
    for (let oi = o * inputs; oi < (o + 1) * inputs; oi++) {
      const w = oi * 9;
      for (let x = 0; x < 3; x++) {
        const w0 = weight[w + x]! * s;
        const w1 = weight[w + 3 + x]! * s;
        const w2 = weight[w + 6 + x]! * s;
        rows[x] = w0;
        rows[3 + x] = w1 + w2;
        rows[6 + x] = w0 + w1;
        rows[9 + x] = w2;
      }
      for (let phase = 0; phase < 4; phase++) {
        const [a, b] = PHASES[phase]!;
        const kernel = kernels[phase]!;
        for (let t = 0; t < 2; t++) {
          const r = (2 * a + t) * 3;
          kernel[oi * 4 + t * 2] = b === 0 ? rows[r]! : rows[r]! + rows[r + 1]!;
          kernel[oi * 4 + t * 2 + 1] = b === 0 ? rows[r + 1]! + rows[r + 2]! : rows[r + 2]!;
        }
      }
    }
  }
  return kernels;
}
