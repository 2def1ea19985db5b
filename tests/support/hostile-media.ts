import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createDeflate, crc32, deflateSync } from 'node:zlib';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';

/** Hand-built files for refusal tests: headers that lie, playlists, EXIF, picture bombs in containers. */

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** PNG colour types: grey, RGB, RGBA. */
const PNG_CHANNELS = { 0: 1, 2: 3, 6: 4 } as const;

function ihdr(width: number, height: number, bitDepth = 8, colourType: keyof typeof PNG_CHANNELS = 2): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colourType;
  return pngChunk('IHDR', data);
}

/** A PNG whose header claims width×height but holds almost no data (a decompression-bomb header). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG whose first chunk is a tEXt, before IHDR (the format requires IHDR first). */
export function pngTextFirst(width: number, height: number): Buffer {
  const good = pngHeaderOnly(width, height);
  return Buffer.concat([PNG_SIGNATURE, pngChunk('tEXt', Buffer.from('Comment\0IHDR comes second', 'latin1')), good.subarray(8)]);
}

/**
 * A complete PNG of width×height black pixels: every row is there, deflated (about 1000:1), so a decoder
 * fills the whole picture: 12000×12000 grey is 144 MB decoded from 140 KB; 16000×16000 16-bit RGBA is 2 GB
 * from 2 MB. Made streaming (the picture is never in memory here).
 */
export async function pngBomb(width: number, height: number, options: { bitDepth?: 8 | 16; colourType?: keyof typeof PNG_CHANNELS } = {}): Promise<Buffer> {
  const bitDepth = options.bitDepth ?? 8;
  const colourType = options.colourType ?? 0;
  const rowBytes = 1 + (width * PNG_CHANNELS[colourType] * bitDepth) / 8;
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise<void>((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const rowsPerWrite = Math.max(1, Math.floor((1 << 20) / rowBytes));
  const block = Buffer.alloc(rowBytes * rowsPerWrite);
  for (let rows = height; rows > 0; rows -= rowsPerWrite) {
    const n = Math.min(rows, rowsPerWrite);
    if (!deflate.write(n === rowsPerWrite ? block : block.subarray(0, n * rowBytes))) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await ended;
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, bitDepth, colourType), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A QuickTime file holding `png` as a video stream — after the streams of `base` (a video file), or alone —
 * made without ever decoding it: ffmpeg muxes a 16×16 PNG padded to the same length, whose bytes are then
 * replaced by `png`'s. `declare`: the sample description gives png's real size (else it says 16×16, a header
 * that lies). Written to `out`.
 */
export function movWithPngStream(out: string, png: Buffer, options: { base?: string; declare?: boolean } = {}): void {
  const small = Buffer.concat([ihdr(16, 16, 8, 0), pngChunk('IDAT', deflateSync(Buffer.alloc(17 * 16)))]);
  const padding = png.length - PNG_SIGNATURE.length - small.length - 12 - 12; // the tEXt and IEND chunks' overhead
  if (padding < 8) throw new Error('the PNG is too small to stand in for');
  const carrier = Buffer.concat([
    PNG_SIGNATURE,
    small.subarray(0, 25),
    pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.alloc(padding - 8, 0x20)])),
    small.subarray(25),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  if (carrier.length !== png.length) throw new Error(`carrier is ${carrier.length} bytes, not ${png.length}`);
  const carrierPath = `${out}.carrier.png`;
  writeFileSync(carrierPath, carrier);
  const inputs = options.base ? ['-i', options.base] : [];
  const maps = options.base ? ['-map', '0', '-map', '1'] : [];
  execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...inputs, '-f', 'png_pipe', '-i', carrierPath, ...maps, '-c', 'copy', '-f', 'mov', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  rmSync(carrierPath);
  const mov = readFileSync(out);
  const at = mov.indexOf(carrier);
  if (at < 0) throw new Error('the carrier PNG is not in the file');
  png.copy(mov, at);
  if (options.declare ?? true) {
    // The 'png ' sample entry: 4-byte type, 6 reserved, data reference, version, revision, vendor, two qualities, then width and height.
    const entry = mov.indexOf('png ', mov.indexOf('stsd'));
    mov.writeUInt16BE(png.readUInt32BE(16), entry + 28);
    mov.writeUInt16BE(png.readUInt32BE(20), entry + 30);
  }
  writeFileSync(out, mov);
}

/** Inserts an EXIF APP1 segment with the given orientation right after a JPEG's SOI marker. */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), orientationTiff(orientation)]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

/**
 * A simple WebP (RIFF, WEBP, one VP8/VP8L chunk) made extended, as the format lays it out: a VP8X
 * chunk saying EXIF is present, the image chunk, then the EXIF chunk with the orientation, last.
 */
export function webpWithExifOrientation(webp: Buffer, width: number, height: number, orientation: number): Buffer {
  if (webp.toString('latin1', 0, 4) !== 'RIFF' || webp.toString('latin1', 8, 12) !== 'WEBP') throw new Error('not a WebP');
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32LE(data.length, 4);
    return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
  };
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x08; // EXIF metadata present
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), chunk('VP8X', vp8x), webp.subarray(12), chunk('EXIF', orientationTiff(orientation))]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

function orientationTiff(orientation: number): Buffer {
  // TIFF, big-endian: header, IFD0 with one entry (0x0112 SHORT 1 = orientation), next-IFD 0.
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('MM', 0, 'ascii');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x0112, 10);
  tiff.writeUInt16BE(3, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  return tiff;
}

/** An HLS playlist that points at a local file and a network URL. */
export function hlsPlaylist(localPath: string): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:10',
    '#EXTINF:10.0,',
    `file://${localPath}`,
    '#EXTINF:10.0,',
    'http://127.0.0.1:9/x.ts',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/** An ffconcat script that pulls in a local file and a URL. */
export function ffconcatScript(localPath: string): string {
  return ['ffconcat version 1.0', `file '${localPath}'`, "file 'http://127.0.0.1:9/x.mp4'", ''].join('\n');
}
