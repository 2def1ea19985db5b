import { float16ToFloat32 } from './float16.js';

/**
 * Conversions between ffmpeg's packed RGB24 frames (H×W×3 bytes, row-major)
 * and the models' planar float tensors ([N,3,H,W], 0..1). Pure functions.
 */
export function rgb24ToPlanar(frames: Uint8Array, count: number, width: number, height: number, out?: Float32Array): Float32Array {
  const plane = width * height;
  const result = out ?? new Float32Array(count * 3 * plane);
  const scale = 1 / 255;
  for (let n = 0; n < count; n++) {
    const src = n * plane * 3;
    const dst = n * plane * 3;
    for (let i = 0; i < plane; i++) {
      result[dst + i] = frames[src + i * 3]! * scale;
      result[dst + plane + i] = frames[src + i * 3 + 1]! * scale;
      result[dst + 2 * plane + i] = frames[src + i * 3 + 2]! * scale;
    }
  }
  return result;
}

/** Planar 0..1 floats to packed RGB24, rounded and clamped. */
export function planarToRgb24(tensor: ArrayLike<number>, count: number, width: number, height: number, out?: Uint8Array): Uint8Array {
  const plane = width * height;
  const result = out ?? new Uint8Array(count * plane * 3);
  for (let n = 0; n < count; n++) {
    const base = n * plane * 3;
    for (let c = 0; c < 3; c++) {
      const src = base + c * plane;
      for (let i = 0; i < plane; i++) {
        const v = Math.round(tensor[src + i]! * 255);
        result[base + i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return result;
}

/** Generated frames as the generator returns them: planar [N,3,H,W] floats, or float16 bits from a half-precision generator. */
export type Prediction = { readonly precision: 'fp32'; readonly data: Float32Array } | { readonly precision: 'fp16'; readonly data: Uint16Array };

/** Generated frames to packed RGB24 (float16 bits are widened first). */
export function predictionToRgb24(prediction: Prediction, count: number, width: number, height: number): Uint8Array {
  const values = prediction.precision === 'fp16' ? float16ToFloat32(prediction.data) : prediction.data;
  return planarToRgb24(values, count, width, height);
}

/** Repeats one item of a batch `count` times (the source image and its keypoints for a generator batch). */
export function repeatBatch(item: Float32Array, count: number): Float32Array {
  const out = new Float32Array(item.length * count);
  for (let n = 0; n < count; n++) out.set(item, n * item.length);
  return out;
}
