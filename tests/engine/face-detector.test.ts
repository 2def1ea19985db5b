import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { iou } from '../../src/engine/framing/box.js';
import { FaceDetector } from '../../src/engine/framing/face-detector.js';
import { detectorFilters, fittedSize } from '../../src/engine/framing/find-faces.js';
import { decodeTinyFaceGrid } from '../../src/engine/framing/tiny-face-decode.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';

/**
 * Marionette's face detector against the reference: face-api's own tiny face detector (TensorFlow.js, wasm) on
 * the same inputs, recorded by tools/framing/face-api-reference.mjs in tests/fixtures/framing/face-api-reference.json.
 */
const PHOTOS = join(import.meta.dirname, '..', 'fixtures', 'photos');
interface Reference {
  inputSize: number;
  detectorInputFilter: string;
  photos: Record<
    string,
    { width: number; height: number; detections: Array<{ x: number; y: number; width: number; height: number; score: number }>; grid?: { values: number[] } }
  >;
}
const reference = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'framing', 'face-api-reference.json'), 'utf8')) as Reference;
const S = reference.inputSize;
const detector = await FaceDetector.open(2);
afterAll(() => detector.release());

function rgb(name: string, filter: string): Uint8Array {
  const { ffmpeg } = resolveFfmpeg();
  return new Uint8Array(execFileSync(ffmpeg, ['-v', 'error', '-i', join(PHOTOS, name), '-vf', filter, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']));
}

describe('the tiny face detector through onnxruntime', () => {
  it.each(['astronaut.jpg', 'grace-hopper.jpg'])('GIVEN %s as face-api saw it THEN the output grid equals face-api’s within 1e-3', async (name) => {
    const { grids, cells } = await detector.detect(rgb(name, reference.detectorInputFilter), 1, S);
    const ref = reference.photos[name]!.grid!.values; // NHWC
    expect(cells).toBe(13);
    let max = 0;
    for (let y = 0; y < cells; y++)
      for (let x = 0; x < cells; x++)
        for (let c = 0; c < 25; c++) max = Math.max(max, Math.abs(grids[(c * cells + y) * cells + x]! - ref[(y * cells + x) * 25 + c]!));
    expect(max).toBeLessThan(1e-3);
  });

  it.each(['astronaut.jpg', 'grace-hopper.jpg', 'camera.jpg', 'coffee.jpg'])(
    "GIVEN %s decoded by the engine's own filters THEN it finds the faces face-api finds (IoU > 0.8), and none in the coffee cup",
    async (name) => {
      const ref = reference.photos[name]!;
      const frame = { width: ref.width, height: ref.height };
      const { grids, cells } = await detector.detect(rgb(name, detectorFilters(frame, S).join(',')), 1, S);
      const faces = decodeTinyFaceGrid({ grid: grids, cells, inputSize: S, fitted: fittedSize(frame, S) }).map((f) => ({
        ...f,
        x: f.x * frame.width,
        y: f.y * frame.height,
        width: f.width * frame.width,
        height: f.height * frame.height,
      }));
      expect(faces).toHaveLength(ref.detections.length);
      ref.detections.forEach((d, i) => expect(iou(faces[i]!, d)).toBeGreaterThan(0.8));
    },
  );
});
