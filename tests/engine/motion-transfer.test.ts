import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeShapeImage, writeShapeVideo, type ShapePose } from '../../src/demo/synthetic-media.js';
import { readFramesRgb } from '../../src/engine/media/encode.js';
import { Engine } from '../../src/engine/index.js';
import { angleDiff, measureShape, type ShapeMeasure } from '../support/shape-measure.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The demo model really transfers motion: a driving shape that translates,
 * rotates and scales makes the source shape do the same (relative mode: the
 * change since the reference frame; absolute mode: the driving pose itself).
 * Measured on the lossless output, independently of the model.
 * Tolerances: centroid 0.03 (≈4 px of 256), angle 0.08 rad (≈4.6°), area 8 %.
 */
const SIZE = 256;
const FRAMES = 24;
const CENTROID_TOL = 0.03;
const ANGLE_TOL = 0.08;
const AREA_TOL = 0.08;

const dir = tempDir();
const engine = new Engine({ device: 'cpu' });
afterAll(() => engine.dispose());

const sourcePose: ShapePose = { cx: -0.1, cy: 0.1, angle: 0.3, scale: 0.75 };
const drivingPose = (i: number): ShapePose => ({
  cx: 0.05 + 0.3 * Math.sin(i / 6),
  cy: -0.05 + 0.15 * Math.sin(i / 4),
  angle: -0.2 + i * 0.09, // about 2 rad over the clip: past the 90° where second moments alone are ambiguous
  scale: 0.9 + 0.25 * Math.sin(i / 7),
});

async function framesOf(path: string): Promise<ShapeMeasure[]> {
  const raw = await readFramesRgb(path);
  const frameBytes = SIZE * SIZE * 3;
  expect(raw.length % frameBytes).toBe(0);
  const out: ShapeMeasure[] = [];
  for (let i = 0; i < raw.length / frameBytes; i++) out.push(measureShape(raw.subarray(i * frameBytes, (i + 1) * frameBytes), SIZE, SIZE));
  return out;
}

describe('motion transfer with the demo model', () => {
  const photo = join(dir, 'photo.png');
  const driving = join(dir, 'driving.mkv');
  let source: ShapeMeasure;
  let drive: ShapeMeasure[];

  it('prepares inputs', async () => {
    await writeShapeImage(photo, SIZE, SIZE, sourcePose);
    await writeShapeVideo(driving, { width: SIZE, height: SIZE, fps: 12, frames: FRAMES, pose: drivingPose, codecArgs: ['-c:v', 'ffv1', '-pix_fmt', 'bgr0'] });
    source = (await framesOf(photo))[0]!;
    drive = await framesOf(driving);
    expect(drive).toHaveLength(FRAMES);
  });

  it('GIVEN relative mode THEN the output follows the driving change since frame 0 (position, rotation, size)', async () => {
    const output = join(dir, 'relative.mkv');
    const result = await engine.animate({ source: photo, driving, output, mode: 'relative', label: false, audio: false });
    expect(result.frames).toBe(FRAMES);
    expect(result.referenceFrame).toBe(0);
    const out = await framesOf(output);
    expect(out).toHaveLength(FRAMES);
    out.forEach((m, i) => {
      const d = drive[i]!;
      const d0 = drive[0]!;
      expect(Math.abs(m.cx - (source.cx + d.cx - d0.cx)), `frame ${i} x`).toBeLessThan(CENTROID_TOL);
      expect(Math.abs(m.cy - (source.cy + d.cy - d0.cy)), `frame ${i} y`).toBeLessThan(CENTROID_TOL);
      expect(Math.abs(angleDiff(m.angle, source.angle + angleDiff(d.angle, d0.angle))), `frame ${i} angle`).toBeLessThan(ANGLE_TOL);
      expect(Math.abs(m.area / source.area - d.area / d0.area), `frame ${i} area`).toBeLessThan(AREA_TOL);
    });
  });

  it('GIVEN absolute mode THEN the output takes the driving pose itself', async () => {
    const output = join(dir, 'absolute.mkv');
    await engine.animate({ source: photo, driving, output, mode: 'absolute', label: false, audio: false });
    const out = await framesOf(output);
    out.forEach((m, i) => {
      const d = drive[i]!;
      expect(Math.abs(m.cx - d.cx), `frame ${i} x`).toBeLessThan(CENTROID_TOL);
      expect(Math.abs(m.cy - d.cy), `frame ${i} y`).toBeLessThan(CENTROID_TOL);
      expect(Math.abs(angleDiff(m.angle, d.angle)), `frame ${i} angle`).toBeLessThan(ANGLE_TOL);
      expect(Math.abs(m.area / d.area - 1), `frame ${i} area`).toBeLessThan(AREA_TOL);
    });
  });

  it('GIVEN --best-frame auto THEN the frame whose pose matches the photo is the reference, and that frame reproduces the photo', async () => {
    // A driving video that passes through the photo's pose (up to position and size) at frame 9.
    const target = 9;
    const posed = (i: number): ShapePose =>
      i === target ? { cx: 0.2, cy: -0.1, angle: sourcePose.angle, scale: 1.1 } : { cx: 0.2, cy: -0.1, angle: 1.4 + 0.1 * Math.abs(i - target), scale: 1.1 };
    const video = join(dir, 'best.mkv');
    await writeShapeVideo(video, { width: SIZE, height: SIZE, fps: 12, frames: 16, pose: posed, codecArgs: ['-c:v', 'ffv1', '-pix_fmt', 'bgr0'] });
    const output = join(dir, 'best-out.mkv');
    const result = await engine.animate({ source: photo, driving: video, output, bestFrame: 'auto', label: false, audio: false });
    expect(result.referenceFrame).toBe(target);
    const out = await framesOf(output);
    expect(out).toHaveLength(16);
    const m = out[target]!;
    expect(Math.abs(m.cx - source.cx)).toBeLessThan(CENTROID_TOL);
    expect(Math.abs(angleDiff(m.angle, source.angle))).toBeLessThan(ANGLE_TOL);
  });

  it('GIVEN --best-frame <index> THEN that frame is the reference', async () => {
    const output = join(dir, 'index.mkv');
    const result = await engine.animate({ source: photo, driving, output, bestFrame: 5, label: false, audio: false });
    expect(result.referenceFrame).toBe(5);
    const out = await framesOf(output);
    expect(Math.abs(out[5]!.cx - source.cx)).toBeLessThan(CENTROID_TOL);
    expect(Math.abs(angleDiff(out[5]!.angle, source.angle))).toBeLessThan(ANGLE_TOL);
    await expect(engine.animate({ source: photo, driving, output, bestFrame: 99 })).rejects.toThrow(/only 24 frames/);
  });
});
