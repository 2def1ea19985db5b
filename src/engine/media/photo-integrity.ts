import { createInflate } from 'node:zlib';
import { isJpegFrameHeader } from './image-header.js';

/**
 * Whether a JPEG or PNG photo is whole, read in-process (a command's intake, where starting ffmpeg to decode it
 * would cost about 0.2 s of CPU per command). Bounded by the file, which is within the photo's byte limit.
 *   JPEG: its segments walked by their lengths, the scans' entropy-coded data skipped to the next marker, up to
 *         the end marker (EOI): a file cut off before any image data, or a scan before any frame header, is
 *         damaged. A frame the reader does not vouch for (arithmetic coding, lossless, 12-bit), or a file that
 *         ends inside its image data, is 'unknown'.
 *   PNG:  its chunks walked to IEND, and the image data (IDAT) inflated, without keeping it, to the length the
 *         header's size, colour type, depth and interlacing require. APNG and non-standard headers are 'unknown'.
 * 'unknown' (another format, or a kind not vouched for): the caller decodes it with ffmpeg instead. A photo found
 * whole can still hold bad data inside its scans; the engine's full decode, when the job runs, says so.
 */
export type PhotoIntegrity = { readonly kind: 'whole' } | { readonly kind: 'damaged'; readonly reason: string } | { readonly kind: 'unknown' };

const WHOLE: PhotoIntegrity = { kind: 'whole' };
const UNKNOWN: PhotoIntegrity = { kind: 'unknown' };
const damaged = (reason: string): PhotoIntegrity => ({ kind: 'damaged', reason });

export async function photoIntegrity(bytes: Uint8Array): Promise<PhotoIntegrity> {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegIntegrity(bytes);
  if (bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).equals(PNG_SIGNATURE)) return pngIntegrity(bytes);
  return UNKNOWN;
}

/** SOF0 (baseline), SOF1 (extended) and SOF2 (progressive), Huffman-coded: what cameras and phones write. */
const VOUCHED_FRAMES = new Set([0xc0, 0xc1, 0xc2]);

/**
 * Walks a JPEG's markers from SOI to EOI. Pure. Certain verdicts only: 'whole' at an EOI after a frame and a
 * scan; 'damaged' when the file ends (or a segment is impossible) before any image data, which no decoder can
 * show. A file that ends after image data but without EOI is 'unknown': a decoder may show part of it, and
 * whether that counts as decoding is ffmpeg's to say, as it was before this reader.
 */
export function jpegIntegrity(b: Uint8Array): PhotoIntegrity {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  let frame = false;
  let scan = false;
  const cut = (reason: string) => (scan ? UNKNOWN : damaged(reason));
  let i = 2;
  for (;;) {
    i = markerFrom(buf, i);
    if (i + 2 > buf.length) return cut('it ends before any image data');
    const marker = buf[i + 1]!;
    if (marker === 0xd9) return scan ? WHOLE : damaged('it ends before any image data');
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // no length
      continue;
    }
    if (i + 4 > buf.length) return cut('it ends inside a segment header');
    const length = buf.readUInt16BE(i + 2);
    if (length < 2) return cut('a segment has an impossible length');
    if (i + 2 + length > buf.length) return cut('it ends inside a segment');
    if (isJpegFrameHeader(marker)) {
      if (!VOUCHED_FRAMES.has(marker) || buf[i + 4] !== 8) return UNKNOWN;
      frame = true;
    }
    i += 2 + length;
    if (marker === 0xda) {
      if (!frame) return damaged('it has image data before its frame header');
      scan = true;
      i = scanEnd(buf, i);
    }
  }
}

/** The next marker at or after `i`: 0xFF (after any fill 0xFF bytes) then a byte that is not 0x00 or 0xFF. */
function markerFrom(buf: Buffer, i: number): number {
  while (i < buf.length) {
    const ff = buf.indexOf(0xff, i);
    if (ff < 0 || ff + 1 >= buf.length) return buf.length;
    const next = buf[ff + 1]!;
    if (next !== 0x00 && next !== 0xff) return ff;
    i = ff + 1;
  }
  return buf.length;
}

/** Past a scan's entropy-coded data: to the first marker that is not a stuffed byte (FF 00) or a restart (RSTn). */
function scanEnd(buf: Buffer, i: number): number {
  for (;;) {
    const at = markerFrom(buf, i);
    if (at >= buf.length) return at;
    const marker = buf[at + 1]!;
    if (marker < 0xd0 || marker > 0xd7) return at;
    i = at + 2;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels per PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7's passes: first column and row, and steps. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

interface PngLayout {
  readonly width: number;
  readonly height: number;
  readonly bitsPerPixel: number;
  readonly interlaced: boolean;
  readonly data: Buffer[];
}

/** Walks a PNG's chunks and inflates its image data. */
export async function pngIntegrity(b: Uint8Array): Promise<PhotoIntegrity> {
  const layout = pngLayout(Buffer.from(b.buffer, b.byteOffset, b.length));
  if ('kind' in layout) return layout;
  const needed = inflatedLength(layout);
  const got = await inflatedBytes(layout.data, needed);
  if (got === 'error') return damaged('its image data is not valid compressed data');
  return got < needed ? damaged(`its image data ends early (${got} of ${needed} bytes)`) : WHOLE;
}

/** The header's layout and the IDAT chunks, or the verdict when the chunks already give it. */
function pngLayout(buf: Buffer): PngLayout | PhotoIntegrity {
  const data: Buffer[] = [];
  let header: Omit<PngLayout, 'data'> | null = null;
  for (let at = 8; ;) {
    if (at + 12 > buf.length) return damaged('it ends before its end chunk (IEND)');
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > buf.length) return damaged(`it ends inside its ${type} chunk`);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (header === null) {
      if (type !== 'IHDR' || length !== 13) return damaged('its first chunk is not the IHDR header');
      header = pngHeader(body);
      if (header === null) return UNKNOWN;
    } else if (type === 'IDAT') {
      data.push(body);
    } else if (type === 'acTL') {
      return UNKNOWN; // an animated PNG: its frames are ffmpeg's to read
    } else if (type === 'IEND') {
      return data.length > 0 ? { ...header, data } : damaged('it has no image data');
    }
    at += 12 + length;
  }
}

/** IHDR's fields, or null for a depth/colour combination, compression or filter method that is not standard. */
function pngHeader(body: Buffer): Omit<PngLayout, 'data'> | null {
  const [depth, colour, compression, filter, interlace] = [body[8]!, body[9]!, body[10]!, body[11]!, body[12]!];
  const channels = PNG_CHANNELS[colour];
  const depths = colour === 0 ? [1, 2, 4, 8, 16] : colour === 3 ? [1, 2, 4, 8] : [8, 16];
  if (channels === undefined || !depths.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1) return null;
  return { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitsPerPixel: channels * depth, interlaced: interlace === 1 };
}

/** The inflated length the image needs: for each (pass's) row, a filter byte and its pixels' bytes. */
export function inflatedLength(layout: Omit<PngLayout, 'data'>): number {
  const rows = (width: number, height: number) => (width > 0 && height > 0 ? height * (1 + Math.ceil((width * layout.bitsPerPixel) / 8)) : 0);
  if (!layout.interlaced) return rows(layout.width, layout.height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((layout.width - x0) / dx), Math.ceil((layout.height - y0) / dy)), 0);
}

/** How many bytes the zlib stream inflates to, counted up to `needed` (then it stops); 'error' if it is not valid. */
function inflatedBytes(chunks: readonly Buffer[], needed: number): Promise<number | 'error'> {
  return new Promise((resolve) => {
    const inflate = createInflate();
    let count = 0;
    let settled = false;
    const settle = (value: number | 'error') => {
      if (settled) return;
      settled = true;
      inflate.destroy();
      resolve(value);
    };
    inflate.on('data', (piece: Buffer) => {
      count += piece.length;
      if (count >= needed) settle(count);
    });
    inflate.on('error', () => settle(count >= needed ? count : 'error'));
    inflate.on('end', () => settle(count));
    for (const c of chunks) inflate.write(c);
    inflate.end();
  });
}
