import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { centredCrop, type CropRule, type Size } from '../../src/engine/media/crop.js';
import { decodePhoto, decodeVideoFrames } from '../../src/engine/media/decode.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A driving video whose resolution changes midway (segments stitched without
 * re-encoding: a screen recording resized, an adaptive stream): every segment is
 * framed by the crop rule at its own size, exactly as if it were decoded alone.
 * (Before, the first size's rectangle was kept: a smaller segment stopped the
 * decoder with "could not be decoded", a larger one was framed off-centre.)
 */
const dir = tempDir();
const target: Size = { width: 64, height: 64 };
const SEGMENTS = [
  { name: 'wide', size: '320x240', source: 'testsrc2' },
  { name: 'small', size: '160x120', source: 'smptebars' },
  { name: 'portrait', size: '180x240', source: 'rgbtestsrc' },
] as const;
const FRAMES = 6;

function ffmpeg(args: string[]): void {
  execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args]);
}

beforeAll(() => {
  const ts: Buffer[] = [];
  for (const s of SEGMENTS) {
    const file = join(dir, `${s.name}.ts`);
    // Every segment starts with a key frame and carries its own parameter sets (MPEG-TS), so the stitched stream switches size.
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `${s.source}=size=${s.size}:rate=10`,
      '-frames:v',
      String(FRAMES),
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-bf',
      '0',
      file,
    ]);
    ffmpeg(['-i', file, '-c', 'copy', join(dir, `${s.name}.mkv`)]);
    ts.push(execFileSync('cat', [file]));
  }
  writeFileSync(join(dir, 'stitched.ts'), Buffer.concat(ts));
  ffmpeg(['-i', join(dir, 'stitched.ts'), '-c', 'copy', join(dir, 'stitched.mkv')]);
});

async function decodeAll(name: string, crop: CropRule): Promise<Buffer[]> {
  const path = join(dir, `${name}.mkv`);
  const info = await probeMedia(path, 'video', DEFAULT_LIMITS);
  const frames: Buffer[] = [];
  const bytes = target.width * target.height * 3;
  for await (const batch of decodeVideoFrames(path, info, { target, crop, limits: DEFAULT_LIMITS, batchSize: 4 })) {
    for (let i = 0; i < batch.count; i++) frames.push(Buffer.from(batch.frames.subarray(i * bytes, (i + 1) * bytes)));
  }
  return frames;
}

describe('a driving video whose resolution changes midway', () => {
  it('the stitched file really changes size (the test is about something)', () => {
    const sizes = execFileSync(resolveFfmpeg().ffprobe, ['-v', 'error', '-show_entries', 'frame=width,height', '-of', 'csv=p=0', join(dir, 'stitched.mkv')], {
      encoding: 'utf8',
    });
    expect([
      ...new Set(
        sizes
          .trim()
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => l.split(',').slice(0, 2).join('x')),
      ),
    ]).toEqual(['320x240', '160x120', '180x240']);
  });

  it('GIVEN the centred crop THEN each segment decodes exactly as it does alone', async () => {
    const stitched = await decodeAll('stitched', centredCrop);
    expect(stitched).toHaveLength(FRAMES * SEGMENTS.length);
    for (const [k, s] of SEGMENTS.entries()) {
      const alone = await decodeAll(s.name, centredCrop);
      expect(alone).toHaveLength(FRAMES);
      const same = alone.map((frame, i) => frame.equals(stitched[k * FRAMES + i]!));
      expect(same, s.name).toEqual(alone.map(() => true));
    }
  });

  it('GIVEN a custom rule without an ffmpeg form THEN a later size gets the first rectangle in proportion', async () => {
    // The top-left square: at 320x240 the 240x240 corner; in proportion at 160x120, the 120x120 corner — what the rule gives there.
    const topLeft: CropRule = (frame) => {
      const side = Math.min(frame.width, frame.height);
      return { x: 0, y: 0, width: side, height: side };
    };
    const stitched = await decodeAll('stitched', topLeft);
    expect(stitched).toHaveLength(FRAMES * SEGMENTS.length);
    for (const [k, name] of (['wide', 'small'] as const).entries()) {
      const alone = await decodeAll(name, topLeft);
      expect(
        alone.map((frame, i) => frame.equals(stitched[k * FRAMES + i]!)),
        name,
      ).toEqual(alone.map(() => true));
    }
    // The wide segment's square is not its centre: the rule was honoured, not replaced by the centred one.
    const centred = await decodeAll('wide', centredCrop);
    expect(centred[0]!.equals(stitched[0]!)).toBe(false);
  });
});

describe('the centred crop written for ffmpeg', () => {
  it("GIVEN an odd margin (643x480 to a square) THEN it frames exactly like the rule's own numbers (the margin rounded down)", async () => {
    // Noise, and no resizing (a 480x480 target): a one-pixel shift changes every byte.
    const raw = join(dir, 'odd.rgb');
    writeFileSync(raw, randomBytes(643 * 480 * 3));
    const photo = join(dir, 'odd.png');
    ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '643x480', '-i', raw, '-frames:v', '1', photo]);
    const info = await probeMedia(photo, 'photo', DEFAULT_LIMITS);
    const square = { width: 480, height: 480 };
    const numeric: CropRule = (frame, size) => centredCrop(frame, size); // the same rectangle, without the ffmpeg form
    expect(centredCrop({ width: 643, height: 480 }, square)).toMatchObject({ x: 81, width: 480 });
    const viaExpression = Buffer.from(await decodePhoto(photo, info, square, centredCrop));
    const viaNumbers = Buffer.from(await decodePhoto(photo, info, square, numeric));
    expect(viaExpression.equals(viaNumbers)).toBe(true);
  });
});
