import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage } from '../../src/demo/synthetic-media.js';
import { InputError } from '../../src/engine/errors.js';
import { verifyPhotoDecodes } from '../../src/engine/media/decode.js';
import { readImageHeader } from '../../src/engine/media/image-header.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { pngChunk, pngHeaderOnly, pngTextFirst } from '../support/hostile-media.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A photo's size comes from its header, before any decoder sees it. A file whose first bytes name a format
 * but whose header is not what that format requires is refused as malformed, never handed to ffprobe to
 * make sense of (a PNG with a tEXt chunk before IHDR used to be; ffmpeg decodes it).
 */
const bytes = (...parts: Array<string | number[] | Buffer>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'binary') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
const riff = (body: Buffer) => {
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
};
/** An APPn segment of `n` payload bytes. */
const appSegment = (marker: number, n: number) => {
  const s = Buffer.alloc(4 + n);
  s[0] = 0xff;
  s[1] = marker;
  s.writeUInt16BE(n + 2, 2);
  return s;
};
const sof0 = (width: number, height: number) => {
  const s = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  s.writeUInt16BE(height, 5);
  s.writeUInt16BE(width, 7);
  return s;
};

describe('readImageHeader', () => {
  it('GIVEN a PNG whose first chunk is not IHDR THEN malformed, not unknown', () => {
    expect(readImageHeader(pngTextFirst(640, 480))).toEqual({
      kind: 'malformed',
      format: 'PNG',
      reason: 'its first chunk is not the IHDR header the format requires',
    });
    expect(readImageHeader(pngHeaderOnly(640, 480))).toEqual({ kind: 'size', format: 'PNG', width: 640, height: 480 });
    // An IHDR of the wrong length is no IHDR either.
    const bad = pngHeaderOnly(640, 480);
    bad.writeUInt32BE(14, 8);
    expect(readImageHeader(bad)).toMatchObject({ kind: 'malformed', format: 'PNG' });
  });

  it('GIVEN a byte-order mark before the image THEN it is looked past, as the sniffer does', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(readImageHeader(Buffer.concat([bom, pngHeaderOnly(640, 480)]))).toEqual({ kind: 'size', format: 'PNG', width: 640, height: 480 });
    expect(readImageHeader(bytes([0xef, 0xbb, 0xbf, 0xff, 0xd8], sof0(320, 200), [0xff, 0xd9]), true)).toEqual({
      kind: 'size',
      format: 'JPEG',
      width: 320,
      height: 200,
    });
  });

  it('GIVEN a WebP whose first chunk is not an image, or an image without its signature THEN malformed', () => {
    expect(readImageHeader(riff(bytes('WEBP', 'EXIF', [8, 0, 0, 0], 'MM\0*\0\0\0\x08', 'VP8 ', [0, 0, 0, 0])))).toMatchObject({
      kind: 'malformed',
      format: 'WebP',
    });
    expect(readImageHeader(riff(bytes('WEBPVP8 ', [10, 0, 0, 0], [0, 0, 0, 1, 2, 3, 0x80, 0x02, 0xe0, 0x01])))).toMatchObject({
      kind: 'malformed',
      format: 'WebP',
    });
    expect(readImageHeader(riff(bytes('WEBPVP8 ', [10, 0, 0, 0], [0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01])))).toEqual({
      kind: 'size',
      format: 'WebP',
      width: 640,
      height: 480,
    });
    expect(readImageHeader(riff(bytes('WEBPVP8L', [5, 0, 0, 0], [0x00, 0, 0, 0, 0])))).toMatchObject({ kind: 'malformed', format: 'WebP' });
  });

  it('GIVEN a JPEG with a scan or its end before any frame header THEN malformed', () => {
    expect(readImageHeader(bytes([0xff, 0xd8], appSegment(0xe0, 14), [0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0]))).toMatchObject({
      kind: 'malformed',
      format: 'JPEG',
    });
    expect(readImageHeader(bytes([0xff, 0xd8], appSegment(0xe0, 14), [0xff, 0xd9]))).toMatchObject({ kind: 'malformed', format: 'JPEG' });
    // Fill bytes and stray bytes before a marker are skipped, as decoders do.
    expect(readImageHeader(bytes([0xff, 0xd8], appSegment(0xe0, 14), [0x00, 0x00, 0xff, 0xff], sof0(640, 480)))).toEqual({
      kind: 'size',
      format: 'JPEG',
      width: 640,
      height: 480,
    });
  });

  it('GIVEN a JPEG whose frame header lies past the bytes given THEN truncated, or malformed when they are the whole file', () => {
    const head = bytes([0xff, 0xd8], appSegment(0xe1, 60000));
    expect(readImageHeader(head)).toEqual({ kind: 'truncated', format: 'JPEG' });
    expect(readImageHeader(head, true)).toMatchObject({ kind: 'malformed', format: 'JPEG' });
    expect(readImageHeader(bytes(head, sof0(320, 200)), true)).toEqual({ kind: 'size', format: 'JPEG', width: 320, height: 200 });
  });

  it('GIVEN BMP info headers THEN each read by its own layout, an unknown one malformed', () => {
    const bmp = (infoSize: number, fill: (b: Buffer) => void) => {
      const b = Buffer.alloc(14 + infoSize);
      b.write('BM', 0, 'latin1');
      b.writeUInt32LE(infoSize, 14);
      fill(b);
      return b;
    };
    expect(readImageHeader(bmp(40, (b) => (b.writeInt32LE(640, 18), b.writeInt32LE(-480, 22))))).toEqual({
      kind: 'size',
      format: 'BMP',
      width: 640,
      height: 480,
    });
    expect(readImageHeader(bmp(12, (b) => (b.writeUInt16LE(640, 18), b.writeUInt16LE(480, 20))))).toEqual({
      kind: 'size',
      format: 'BMP',
      width: 640,
      height: 480,
    });
    expect(readImageHeader(bmp(20, () => undefined))).toMatchObject({ kind: 'malformed', format: 'BMP' });
  });

  it('GIVEN a file too short for its header THEN malformed, when it is the whole file', () => {
    expect(readImageHeader(bytes('GIF89a', [0x40]), true)).toMatchObject({ kind: 'malformed', format: 'GIF' });
    expect(readImageHeader(Buffer.from('nothing'))).toEqual({ kind: 'unknown' });
  });
});

describe('the photo header before ffprobe', () => {
  const dir = tempDir();
  const p = (n: string) => join(dir, n);
  const refusal = async (path: string): Promise<InputError> => {
    try {
      await probeMedia(path, 'photo', DEFAULT_LIMITS);
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
    throw new Error(`${path} was not refused`);
  };
  beforeAll(async () => {
    await writeShapeImage(p('photo.jpg'), 320, 240, { cx: 0, cy: 0, angle: 0, scale: 1 });
    await writeShapeImage(p('photo.png'), 320, 240, { cx: 0, cy: 0, angle: 0, scale: 1 });
  });

  it('GIVEN a real PNG with a tEXt chunk moved before IHDR THEN refused as malformed, in one sentence', async () => {
    const png = readFileSync(p('photo.png'));
    const text = pngChunk('tEXt', Buffer.from('Comment\0first', 'latin1'));
    writeFileSync(p('text-first.png'), Buffer.concat([png.subarray(0, 8), text, png.subarray(8)]));
    const e = await refusal(p('text-first.png'));
    expect(e.code).toBe('unreadable-image');
    expect(e.message).toBe(
      'The photo is not a valid PNG image: its first chunk is not the IHDR header the format requires. Save it again as JPEG or PNG and try again.',
    );
  });

  it('GIVEN a tEXt-first PNG that claims 20000×20000 THEN refused before ffprobe sees it', async () => {
    writeFileSync(p('text-first-bomb.png'), pngTextFirst(20000, 20000));
    expect((await refusal(p('text-first-bomb.png'))).message).toMatch(/^The photo is not a valid PNG image/);
  });

  it('GIVEN a JPEG with 320 KB of metadata before its frame header THEN its size is still read (past the first 256 KiB), and it decodes', async () => {
    const jpeg = readFileSync(p('photo.jpg'));
    const padded = Buffer.concat([jpeg.subarray(0, 2), ...Array.from({ length: 5 }, () => appSegment(0xef, 65000)), jpeg.subarray(2)]);
    writeFileSync(p('big-metadata.jpg'), padded);
    const info = await probeMedia(p('big-metadata.jpg'), 'photo', DEFAULT_LIMITS);
    expect(info.video).toMatchObject({ width: 320, height: 240 });
    await verifyPhotoDecodes(p('big-metadata.jpg'), info);
  });

  it('GIVEN a JPEG cut before its frame header THEN refused as malformed', async () => {
    writeFileSync(p('no-sof.jpg'), bytes([0xff, 0xd8, 0xff], appSegment(0xe0, 100).subarray(1)));
    expect((await refusal(p('no-sof.jpg'))).message).toBe(
      'The photo is not a valid JPEG image: it has no frame header (SOF) before its end. Save it again as JPEG or PNG and try again.',
    );
  });
});
