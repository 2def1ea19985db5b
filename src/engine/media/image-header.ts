/**
 * An image's pixel size read straight from its header (PNG IHDR, JPEG SOFn,
 * GIF screen descriptor, BMP info header, WebP VP8/VP8L/VP8X), so a
 * decompression bomb is refused before any decoder allocates for it.
 *
 * A file whose first bytes name one of these formats must have a header this
 * reader understands: one that does not (a PNG whose first chunk is not IHDR,
 * a JPEG with no frame header before its first scan, a WebP whose first chunk
 * is not an image) is malformed, and refused; it is never left to a decoder
 * to make sense of.
 */
export type ImageFormat = 'JPEG' | 'PNG' | 'GIF' | 'BMP' | 'WebP';

export type ImageHeader =
  | { readonly kind: 'size'; readonly format: ImageFormat; readonly width: number; readonly height: number }
  /** The format is known from its signature, but its header is not what the format requires. */
  | { readonly kind: 'malformed'; readonly format: ImageFormat; readonly reason: string }
  /** The header goes on past the bytes given (only when they are not the whole file). */
  | { readonly kind: 'truncated'; readonly format: ImageFormat }
  /** No signature of these formats at the start. */
  | { readonly kind: 'unknown' };

/**
 * Reads the header at the start of `b`. `whole`: `b` is the whole file, so a header that runs past its end
 * is malformed (a truncated file) rather than truncated (read more and try again).
 */
export function readImageHeader(b: Uint8Array, whole = false): ImageHeader {
  // A UTF-8 byte-order mark some tools put in front: skipped, as sniffMedia skips it (the decoders look past it).
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return readImageHeader(b.subarray(3), whole);
  const h = new HeaderBytes(b, whole);
  if (b.length >= 8 && b[0] === 0x89 && h.tag(1, 7) === 'PNG\r\n\x1a\n') return readPngHeader(h);
  if (h.tag(0, 6) === 'GIF87a' || h.tag(0, 6) === 'GIF89a') return h.short('GIF', 10) ?? size('GIF', h.u16le(6), h.u16le(8));
  if (h.tag(0, 2) === 'BM') return readBmpHeader(h);
  if (h.tag(0, 4) === 'RIFF' && h.tag(8, 4) === 'WEBP') return readWebpHeader(h);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xd8) return readJpegHeader(h);
  return { kind: 'unknown' };
}

/** The bytes at the start of a file, read as the formats' headers lay them out. */
class HeaderBytes {
  readonly b: Uint8Array;
  /** `b` is the whole file: a header that runs past its end is malformed, not truncated. */
  readonly whole: boolean;

  constructor(b: Uint8Array, whole: boolean) {
    this.b = b;
    this.whole = whole;
  }

  u16be(i: number): number {
    const b = this.b;
    return (b[i]! << 8) | b[i + 1]!;
  }

  u16le(i: number): number {
    const b = this.b;
    return b[i]! | (b[i + 1]! << 8);
  }

  u24le(i: number): number {
    const b = this.b;
    return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
  }

  u32be(i: number): number {
    const b = this.b;
    return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  u32le(i: number): number {
    return this.i32le(i) >>> 0;
  }

  i32le(i: number): number {
    const b = this.b;
    return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
  }

  /** The `n` bytes at `i` as text ('' when `b` ends before them). */
  tag(i: number, n: number): string {
    return this.b.length >= i + n ? String.fromCharCode(...this.b.subarray(i, i + n)) : '';
  }

  /** The header needs `n` bytes and `b` has fewer: malformed or truncated, as `whole` says; null when `b` has them. */
  short(format: ImageFormat, n: number): ImageHeader | null {
    return this.b.length >= n ? null : this.ended(format, 'the file ends inside its header');
  }

  /** `b` ended before what the header needs: malformed (for `reason`) in a whole file, else truncated. */
  ended(format: ImageFormat, reason: string): ImageHeader {
    return this.whole ? malformed(format, reason) : { kind: 'truncated', format };
  }
}

function size(format: ImageFormat, width: number, height: number): ImageHeader {
  return { kind: 'size', format, width, height };
}

function malformed(format: ImageFormat, reason: string): ImageHeader {
  return { kind: 'malformed', format, reason };
}

function readPngHeader(h: HeaderBytes): ImageHeader {
  // The IHDR chunk must come first (PNG spec 5.6), 13 bytes long.
  const cut = h.short('PNG', 24);
  if (cut) return cut;
  if (h.tag(12, 4) !== 'IHDR' || h.u32be(8) !== 13) return malformed('PNG', 'its first chunk is not the IHDR header the format requires');
  return size('PNG', h.u32be(16), h.u32be(20));
}

function readBmpHeader(h: HeaderBytes): ImageHeader {
  const cut = h.short('BMP', 18);
  if (cut) return cut;
  // The info header's own length says which it is (the ones ffmpeg reads): OS/2 1.x has 16-bit sides, the others 32-bit.
  const infoSize = h.u32le(14);
  if (infoSize === 12) return h.short('BMP', 22) ?? size('BMP', h.u16le(18), h.u16le(20));
  if (![40, 56, 64, 108, 124].includes(infoSize)) return malformed('BMP', `its info header has an unknown length (${infoSize} bytes)`);
  const cut2 = h.short('BMP', 26);
  if (cut2) return cut2;
  if (h.i32le(18) <= 0) return malformed('BMP', 'its header gives no width');
  return size('BMP', h.i32le(18), Math.abs(h.i32le(22))); // a negative height is a top-down bitmap
}

function readWebpHeader(h: HeaderBytes): ImageHeader {
  const cut = h.short('WebP', 20);
  if (cut) return cut;
  const chunk = h.tag(12, 4);
  if (chunk === 'VP8X') return h.short('WebP', 30) ?? size('WebP', h.u24le(24) + 1, h.u24le(27) + 1);
  if (chunk === 'VP8 ') return readWebpLossyHeader(h);
  if (chunk === 'VP8L') return readWebpLosslessHeader(h);
  return malformed('WebP', 'its first chunk is not an image (VP8, VP8L or VP8X)');
}

/** A 'VP8 ' chunk: the key frame's start code, then 14-bit sides. */
function readWebpLossyHeader(h: HeaderBytes): ImageHeader {
  const cut = h.short('WebP', 30);
  if (cut) return cut;
  const b = h.b;
  if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return malformed('WebP', 'its VP8 image has no start code');
  return size('WebP', h.u16le(26) & 0x3fff, h.u16le(28) & 0x3fff);
}

/** A 'VP8L' chunk: the signature byte, then the sides less one, 14 bits each. */
function readWebpLosslessHeader(h: HeaderBytes): ImageHeader {
  const cut = h.short('WebP', 25);
  if (cut) return cut;
  if (h.b[20] !== 0x2f) return malformed('WebP', 'its lossless image has no signature');
  const bits = h.u32le(21);
  return size('WebP', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
}

/**
 * Segments up to the frame header (SOFn), as a decoder walks them: by their lengths, skipping fill bytes,
 * and, like ffmpeg, any stray bytes before the next marker. A scan (SOS) or the end (EOI) before any SOFn is
 * malformed: a decoder would have to guess the size.
 */
function readJpegHeader(h: HeaderBytes): ImageHeader {
  const b = h.b;
  const noFrame = 'it has no frame header (SOF) before its end';
  let i = 2;
  for (;;) {
    i = nextJpegMarker(b, i);
    if (i + 2 > b.length) return h.ended('JPEG', noFrame);
    const marker = b[i + 1]!;
    if (marker === 0xda || marker === 0xd9) return malformed('JPEG', 'it has no frame header (SOF) before its image data');
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    if (i + 4 > b.length) return h.ended('JPEG', noFrame);
    const len = h.u16be(i + 2);
    if (len < 2) return malformed('JPEG', 'one of its segments has an impossible length');
    if (isJpegFrameHeader(marker)) return h.short('JPEG', i + 9) ?? size('JPEG', h.u16be(i + 7), h.u16be(i + 5));
    i += 2 + len;
  }
}

/** The index of the next marker (0xFF then C0–FE) from `i` on, past fill and stray bytes; `b.length` when there is none. */
function nextJpegMarker(b: Uint8Array, i: number): number {
  while (i < b.length && !(b[i] === 0xff && i + 1 < b.length && b[i + 1]! >= 0xc0 && b[i + 1]! <= 0xfe)) i += 1;
  return i;
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
export function isJpegFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}
