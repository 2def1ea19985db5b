/**
 * An image's pixel size read straight from its header (PNG IHDR, JPEG SOFn,
 * GIF screen descriptor, BMP info header, WebP VP8/VP8L/VP8X), so a
 * decompression bomb is refused before any decoder allocates for it.
 * Returns null when the header is not understood (ffprobe then decides).
 */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

export function readImageSize(b: Uint8Array): ImageSize | null {
  const u16be = (i: number) => (b[i]! << 8) | b[i + 1]!;
  const u16le = (i: number) => b[i]! | (b[i + 1]! << 8);
  const u24le = (i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
  const u32be = (i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  const i32le = (i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
  const tag = (i: number, n: number) => (b.length >= i + n ? String.fromCharCode(...b.subarray(i, i + n)) : '');

  if (b.length >= 24 && b[0] === 0x89 && tag(1, 3) === 'PNG' && tag(12, 4) === 'IHDR') {
    return { width: u32be(16), height: u32be(20) };
  }
  if (b.length >= 10 && (tag(0, 6) === 'GIF87a' || tag(0, 6) === 'GIF89a')) {
    return { width: u16le(6), height: u16le(8) };
  }
  if (b.length >= 26 && tag(0, 2) === 'BM') {
    return { width: Math.abs(i32le(18)), height: Math.abs(i32le(22)) };
  }
  if (b.length >= 30 && tag(0, 4) === 'RIFF' && tag(8, 4) === 'WEBP') {
    const chunk = tag(12, 4);
    if (chunk === 'VP8X') return { width: u24le(24) + 1, height: u24le(27) + 1 };
    if (chunk === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i += 1; // fill byte
        continue;
      }
      const len = u16be(i + 2);
      // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: u16be(i + 7), height: u16be(i + 5) };
      }
      if (marker === 0xda || len < 2) return null;
      i += 2 + len;
    }
  }
  return null;
}
