import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage } from '../../src/demo/synthetic-media.js';
import { verifyPhotoDecodes } from '../../src/engine/media/decode.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { inflatedLength, photoIntegrity } from '../../src/engine/media/photo-integrity.js';
import { screenPhoto } from '../../src/engine/media/photo-screen.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { pngChunk } from '../support/hostile-media.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A command's intake tells whether its photo is whole in-process (photoIntegrity) instead of decoding it with
 * ffmpeg. It may only be sure where ffmpeg agrees: every photo it calls whole, ffmpeg decodes; every photo it
 * calls damaged, ffmpeg refuses; what it cannot be sure of ('unknown') is decoded by ffmpeg as before. Checked
 * here on real photos, on PNGs of every layout built by hand, and on both cut off at many points.
 */
const dir = tempDir('photo-integrity-');
const p = (name: string) => join(dir, name);
const fixtures = ['astronaut.jpg', 'camera.jpg', 'coffee.jpg', 'grace-hopper.jpg'].map((n) => join('tests/fixtures/photos', n));

/** Whether ffmpeg decodes it cleanly (the check the intake made before: decodePhoto's rule, any error refuses). */
async function ffmpegDecodes(path: string): Promise<boolean> {
  const info = await probeMedia(path, 'photo', DEFAULT_LIMITS);
  return verifyPhotoDecodes(path, info).then(
    () => true,
    () => false,
  );
}

/** A PNG of `width`×`height` in a colour type and depth, optionally Adam7-interlaced, its rows a pattern; `drop`: bytes cut from the raw data. */
function handPng(width: number, height: number, options: { colour: 0 | 2 | 6; depth: 1 | 8 | 16; interlaced: boolean; drop?: number }): Buffer {
  const channels = { 0: 1, 2: 3, 6: 4 }[options.colour];
  const layout = { width, height, bitsPerPixel: channels * options.depth, interlaced: options.interlaced };
  const raw = Buffer.alloc(inflatedLength(layout) - (options.drop ?? 0));
  // Every byte 0–4: wherever a row starts, its filter type is valid (the pixels are a pattern either way).
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) % 5;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = options.depth;
  ihdr[9] = options.colour;
  ihdr[12] = options.interlaced ? 1 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const pngs: Array<[string, Buffer]> = [];
beforeAll(async () => {
  await writeShapeImage(p('shape.png'), 320, 240, { cx: 0, cy: 0, angle: 0.3, scale: 0.8 });
  pngs.push(['shape.png', readFileSync(p('shape.png'))]);
  for (const [colour, depth] of [
    [0, 1],
    [0, 8],
    [2, 8],
    [6, 16],
  ] as const) {
    for (const interlaced of [false, true])
      pngs.push([`c${colour}-d${depth}${interlaced ? '-adam7' : ''}.png`, handPng(37, 23, { colour, depth, interlaced })]);
  }
  for (const [name, bytes] of pngs) writeFileSync(p(name), bytes);
}, 60_000);

describe('photoIntegrity', () => {
  it('GIVEN real JPEG photos and PNGs of every layout THEN whole, and ffmpeg decodes each', async () => {
    for (const path of [...fixtures, ...pngs.map(([name]) => p(name))]) {
      expect(await photoIntegrity(readFileSync(path)), path).toEqual({ kind: 'whole' });
      expect(await ffmpegDecodes(path), path).toBe(true);
    }
  }, 60_000);

  it('GIVEN each cut off at many points THEN never whole; where it says damaged, ffmpeg refuses it too', async () => {
    let damaged = 0;
    for (const path of [...fixtures, p('shape.png'), p('c6-d16-adam7.png')]) {
      const bytes = readFileSync(path);
      for (const fraction of [0.002, 0.01, 0.05, 0.3, 0.6, 0.9, 0.999]) {
        const cut = p(`cut-${fraction}-${path.split('/').pop()}`);
        writeFileSync(cut, bytes.subarray(0, Math.max(30, Math.floor(bytes.length * fraction))));
        const verdict = await photoIntegrity(readFileSync(cut));
        expect(verdict.kind, cut).not.toBe('whole');
        if (verdict.kind === 'damaged') {
          damaged += 1;
          expect(await ffmpegDecodes(cut).catch(() => false), cut).toBe(false);
        }
      }
    }
    // Most cuts are certain in-process (a PNG's data always; a JPEG's header): ffmpeg is left only the rest.
    expect(damaged).toBeGreaterThan(15);
  }, 120_000);

  it('GIVEN PNG image data a byte short, or not valid compressed data THEN damaged, and ffmpeg refuses it too', async () => {
    const short = p('short.png');
    writeFileSync(short, handPng(37, 23, { colour: 2, depth: 8, interlaced: true, drop: 1 }));
    const garbled = Buffer.from(readFileSync(p('shape.png')));
    const idat = garbled.indexOf('IDAT');
    garbled.fill(0xa5, idat + 40, idat + 80);
    writeFileSync(p('garbled.png'), garbled);
    for (const path of [short, p('garbled.png')]) {
      expect((await photoIntegrity(readFileSync(path))).kind, path).toBe('damaged');
      expect(await ffmpegDecodes(path), path).toBe(false);
    }
  });

  it('GIVEN a JPEG frame it does not vouch for, or another format THEN unknown (ffmpeg decides)', async () => {
    const jpeg = Buffer.from(readFileSync(fixtures[0]!));
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg[sof + 1] = 0xc9; // arithmetic coding
    expect(await photoIntegrity(jpeg)).toEqual({ kind: 'unknown' });
    execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', '-i', p('shape.png'), p('shape.webp')]);
    expect(await photoIntegrity(readFileSync(p('shape.webp')))).toEqual({ kind: 'unknown' });
  });
});

describe('screenPhoto', () => {
  it('GIVEN a photo cut off THEN the refusal the decoder gives; GIVEN a whole one THEN nothing', async () => {
    const cut = p('screen-cut.png');
    const whole = readFileSync(p('shape.png'));
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const info = await probeMedia(cut, 'photo', DEFAULT_LIMITS);
    await expect(screenPhoto(cut, info)).rejects.toThrow(
      /^The photo could not be decoded; it may be damaged or truncated\. Try saving it again as JPEG or PNG\.$/,
    );
    await expect(screenPhoto(fixtures[1]!, await probeMedia(fixtures[1]!, 'photo', DEFAULT_LIMITS))).resolves.toBeUndefined();
  });
});
