import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage } from '../../src/demo/synthetic-media.js';
import { centredCrop } from '../../src/engine/media/crop.js';
import { decodePhoto } from '../../src/engine/media/decode.js';
import { readOrientation } from '../../src/engine/media/exif-orientation.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { angleDiff, measureShape } from '../support/shape-measure.js';
import { withExifOrientation } from '../support/hostile-media.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Photos honour EXIF orientation: a phone photo stored sideways with
 * orientation 6 ("rotate 90° clockwise to display") is animated upright.
 * The stored pixels hold the shape pointing right (knob at +x); after the
 * clockwise quarter turn, the knob points down (+y in image axes).
 */
const dir = tempDir();
const target = { width: 128, height: 128 };
const stored = join(dir, 'stored.jpg');

beforeAll(async () => {
  await writeShapeImage(stored, 200, 200, { cx: 0, cy: 0, angle: 0, scale: 1 }, ['-q:v', '2']);
});

async function decodedAngle(path: string): Promise<number> {
  const info = await probeMedia(path, 'photo', DEFAULT_LIMITS);
  const rgb = await decodePhoto(path, info, target, centredCrop);
  return measureShape(rgb, target.width, target.height).angle;
}

describe('EXIF orientation', () => {
  const cases: Array<[number, number]> = [
    [1, 0],
    [3, Math.PI],
    [6, Math.PI / 2],
    [8, -Math.PI / 2],
  ];
  it.each(cases)('GIVEN orientation %i THEN the decoded shape points at %f rad', async (orientation, expected) => {
    const path = join(dir, `o${orientation}.jpg`);
    writeFileSync(path, withExifOrientation(readFileSync(stored), orientation));
    expect(readOrientation(readFileSync(path))).toBe(orientation);
    expect(Math.abs(angleDiff(await decodedAngle(path), expected))).toBeLessThan(0.1);
  });

  it('GIVEN no EXIF THEN orientation 1', () => {
    expect(readOrientation(readFileSync(stored))).toBe(1);
    expect(readOrientation(new Uint8Array([1, 2, 3]))).toBe(1);
  });
});
