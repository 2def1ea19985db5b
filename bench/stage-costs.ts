import { performance } from 'node:perf_hooks';
import { centredCrop } from '../src/engine/media/crop.js';
import { decodeVideoFrames } from '../src/engine/media/decode.js';
import { FrameEncoder } from '../src/engine/media/encode.js';
import { DEFAULT_LIMITS } from '../src/engine/media/limits.js';
import { probeMedia } from '../src/engine/media/probe.js';

/**
 * Decode and encode measured alone (no inference), so their per-frame cost is
 * known even though in the pipeline they overlap with inference.
 */
export async function decodeCost(driving: string, size: { width: number; height: number }): Promise<{ frames: number; msPerFrame: number; rgb: Uint8Array }> {
  const info = await probeMedia(driving, 'video', DEFAULT_LIMITS);
  const started = performance.now();
  let frames = 0;
  let last = new Uint8Array(0);
  for await (const batch of decodeVideoFrames(driving, info, { target: size, crop: centredCrop, limits: DEFAULT_LIMITS, batchSize: 8 })) {
    frames += batch.count;
    last = batch.frames.slice(0, size.width * size.height * 3);
  }
  return { frames, msPerFrame: (performance.now() - started) / frames, rgb: last };
}

export async function encodeCost(output: string, frame: Uint8Array, frames: number, size: { width: number; height: number }): Promise<number> {
  const started = performance.now();
  const encoder = FrameEncoder.start({ output, format: 'mp4', size, fps: { num: 25, den: 1 }, audio: null, tags: {} });
  for (let i = 0; i < frames; i++) await encoder.write(frame, 1);
  await encoder.finish();
  return (performance.now() - started) / frames;
}
