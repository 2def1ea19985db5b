import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage } from '../../src/demo/synthetic-media.js';
import { centredCrop } from '../../src/engine/media/crop.js';
import { decodePhoto } from '../../src/engine/media/decode.js';
import { readOrientation } from '../../src/engine/media/exif-orientation.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { readExifBytes, readHead } from '../../src/engine/media/file-head.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { angleDiff, measureShape } from '../support/shape-measure.js';
import { webpWithExifOrientation, withExifOrientation } from '../support/hostile-media.js';
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

  it(
    'GIVEN a WebP over 256 KiB, its EXIF chunk after the image data THEN the orientation is still found (by its chunk headers, ' + 'not the whole file)',
    async () => {
      // The shape, plus noise in the lower rows so the lossless file is large; the EXIF chunk comes last, as WebP puts it.
      const plain = join(dir, 'plain.webp');
      execFileSync(resolveFfmpeg().ffmpeg, [
        '-v',
        'error',
        '-y',
        '-i',
        stored,
        '-f',
        'lavfi',
        '-i',
        'nullsrc=s=200x2000,geq=random(1)*255:random(2)*255:random(3)*255',
        '-filter_complex',
        '[0:v][1:v]vstack',
        '-frames:v',
        '1',
        '-c:v',
        'libwebp',
        '-lossless',
        '1',
        plain,
      ]);
      const path = join(dir, 'o6.webp');
      writeFileSync(path, webpWithExifOrientation(readFileSync(plain), 200, 2200, 6));
      expect(readFileSync(path).length).toBeGreaterThan(256 * 1024);
      expect(readOrientation(await readHead(path, 256 * 1024))).toBe(1); // what reading the head alone saw
      expect(readOrientation(await readExifBytes(path))).toBe(6);
      const info = await probeMedia(path, 'photo', DEFAULT_LIMITS);
      expect(info.video).toMatchObject({ width: 200, height: 2200 });
    },
  );

  it('GIVEN no EXIF THEN orientation 1', () => {
    expect(readOrientation(readFileSync(stored))).toBe(1);
    expect(readOrientation(new Uint8Array([1, 2, 3]))).toBe(1);
  });
});
