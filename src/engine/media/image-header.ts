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
  const u16be = (i: number) => (b[i]! << 8) | b[i + 1]!;
  const u16le = (i: number) => b[i]! | (b[i + 1]! << 8);
  const u24le = (i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
  const u32be = (i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  const u32le = (i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  const i32le = (i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
  const tag = (i: number, n: number) => (b.length >= i + n ? String.fromCharCode(...b.subarray(i, i + n)) : '');
  const size = (format: ImageFormat, width: number, height: number): ImageHeader => ({ kind: 'size', format, width, height });
  const malformed = (format: ImageFormat, reason: string): ImageHeader => ({ kind: 'malformed', format, reason });
  /** The header needs `n` bytes and `b` has fewer. */
  const short = (format: ImageFormat, n: number): ImageHeader | null =>
    b.length >= n ? null : whole ? malformed(format, 'the file ends inside its header') : { kind: 'truncated', format };

  if (b.length >= 8 && b[0] === 0x89 && tag(1, 7) === 'PNG\r\n\x1a\n') {
    // The IHDR chunk must come first (PNG spec 5.6), 13 bytes long.
    const cut = short('PNG', 24);
    if (cut) return cut;
    if (tag(12, 4) !== 'IHDR' || u32be(8) !== 13) return malformed('PNG', 'its first chunk is not the IHDR header the format requires');
    return size('PNG', u32be(16), u32be(20));
  }
  if (tag(0, 6) === 'GIF87a' || tag(0, 6) === 'GIF89a') {
    return short('GIF', 10) ?? size('GIF', u16le(6), u16le(8));
  }
  if (tag(0, 2) === 'BM') {
    const cut = short('BMP', 18);
    if (cut) return cut;
    // The info header's own length says which it is (the ones ffmpeg reads): OS/2 1.x has 16-bit sides, the others 32-bit.
    const infoSize = u32le(14);
    if (infoSize === 12) return short('BMP', 22) ?? size('BMP', u16le(18), u16le(20));
    if (![40, 56, 64, 108, 124].includes(infoSize)) return malformed('BMP', `its info header has an unknown length (${infoSize} bytes)`);
    const cut2 = short('BMP', 26);
    if (cut2) return cut2;
    if (i32le(18) <= 0) return malformed('BMP', 'its header gives no width');
    return size('BMP', i32le(18), Math.abs(i32le(22))); // a negative height is a top-down bitmap
  }
  if (tag(0, 4) === 'RIFF' && tag(8, 4) === 'WEBP') {
    const cut = short('WebP', 20);
    if (cut) return cut;
    const chunk = tag(12, 4);
    if (chunk === 'VP8X') return short('WebP', 30) ?? size('WebP', u24le(24) + 1, u24le(27) + 1);
    if (chunk === 'VP8 ') {
      const cut2 = short('WebP', 30);
      if (cut2) return cut2;
      if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return malformed('WebP', 'its VP8 image has no start code');
      return size('WebP', u16le(26) & 0x3fff, u16le(28) & 0x3fff);
    }
    if (chunk === 'VP8L') {
      const cut2 = short('WebP', 25);
      if (cut2) return cut2;
      if (b[20] !== 0x2f) return malformed('WebP', 'its lossless image has no signature');
      const bits = u32le(21);
      return size('WebP', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    return malformed('WebP', 'its first chunk is not an image (VP8, VP8L or VP8X)');
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xd8) {
    // Segments up to the frame header (SOFn), as a decoder walks them: by their lengths, skipping fill bytes,
    // and, like ffmpeg, any stray bytes before the next marker. A scan (SOS) or the end (EOI) before any SOFn is
    // malformed: a decoder would have to guess the size.
    let i = 2;
    for (;;) {
      while (i < b.length && !(b[i] === 0xff && i + 1 < b.length && b[i + 1]! >= 0xc0 && b[i + 1]! <= 0xfe)) i += 1;
      const noFrame = () =>
        whole ? malformed('JPEG', 'it has no frame header (SOF) before its end') : { kind: 'truncated' as const, format: 'JPEG' as const };
      if (i + 2 > b.length) return noFrame();
      const marker = b[i + 1]!;
      if (marker === 0xda || marker === 0xd9) return malformed('JPEG', 'it has no frame header (SOF) before its image data');
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2; // markers without a length
        continue;
      }
      if (i + 4 > b.length) return noFrame();
      const len = u16be(i + 2);
      if (len < 2) return malformed('JPEG', 'one of its segments has an impossible length');
      // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        const cut2 = short('JPEG', i + 9);
        if (cut2) return cut2;
        return size('JPEG', u16be(i + 7), u16be(i + 5));
      }
      i += 2 + len;
    }
  }
  return { kind: 'unknown' };
}
