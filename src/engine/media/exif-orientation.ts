/**
 * EXIF orientation (tag 0x0112) of a photo, read from its first bytes: JPEG
 * APP1 "Exif", PNG eXIf chunk, or WebP EXIF chunk. Pure byte parsing, no
 * decoding. Returns 1 (as stored) when absent or unreadable.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export function readOrientation(bytes: Uint8Array): Orientation {
  const tiff = findTiff(bytes);
  if (!tiff) return 1;
  return orientationFromTiff(bytes, tiff.start, tiff.end) ?? 1;
}

function findTiff(b: Uint8Array): { start: number; end: number } | null {
  // JPEG: FF D8, then segments FF xx LEN(2, big-endian) …
  if (b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 4 <= b.length && b[i] === 0xff) {
      const marker = b[i + 1]!;
      if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
      const len = (b[i + 2]! << 8) | b[i + 3]!;
      if (len < 2) break;
      const body = i + 4;
      if (marker === 0xe1 && ascii(b, body, 6) === 'Exif\0\0') return { start: body + 6, end: Math.min(b.length, i + 2 + len) };
      i += 2 + len;
    }
    return null;
  }
  // PNG: 8-byte signature, then chunks LEN(4) TYPE(4) DATA CRC(4).
  if (ascii(b, 1, 3) === 'PNG') {
    let i = 8;
    while (i + 8 <= b.length) {
      const len = readU32(b, i, false);
      const type = ascii(b, i + 4, 4);
      if (type === 'eXIf') return { start: i + 8, end: Math.min(b.length, i + 8 + len) };
      if (type === 'IDAT' || type === 'IEND') break;
      i += 12 + len;
    }
    return null;
  }
  // WebP: RIFF….WEBP then chunks FOURCC LEN(4, little-endian) DATA (padded to even).
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    let i = 12;
    while (i + 8 <= b.length) {
      const type = ascii(b, i, 4);
      const len = readU32(b, i + 4, true);
      if (type === 'EXIF') {
        let start = i + 8;
        if (ascii(b, start, 6) === 'Exif\0\0') start += 6;
        return { start, end: Math.min(b.length, i + 8 + len) };
      }
      i += 8 + len + (len & 1);
    }
  }
  return null;
}

function orientationFromTiff(b: Uint8Array, start: number, end: number): Orientation | null {
  if (start + 8 > end) return null;
  const order = ascii(b, start, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  if (readU16(b, start + 2, le) !== 42) return null;
  const ifd = start + readU32(b, start + 4, le);
  if (ifd + 2 > end) return null;
  const count = readU16(b, ifd, le);
  for (let n = 0; n < count; n++) {
    const entry = ifd + 2 + n * 12;
    if (entry + 12 > end) return null;
    if (readU16(b, entry, le) === 0x0112) {
      const value = readU16(b, entry + 8, le);
      return value >= 1 && value <= 8 ? (value as Orientation) : null;
    }
  }
  return null;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  if (at + n > b.length) return '';
  return String.fromCharCode(...b.subarray(at, at + n));
}
function readU16(b: Uint8Array, at: number, le: boolean): number {
  return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}
function readU32(b: Uint8Array, at: number, le: boolean): number {
  return le
    ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
    : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** ffmpeg filters that turn a stored image into its display orientation. */
export function orientationFilters(o: Orientation): string[] {
  switch (o) {
    case 1:
      return [];
    case 2:
      return ['hflip'];
    case 3:
      return ['hflip', 'vflip'];
    case 4:
      return ['vflip'];
    case 5:
      return ['transpose=cclock_flip'];
    case 6:
      return ['transpose=clock'];
    case 7:
      return ['transpose=clock_flip'];
    case 8:
      return ['transpose=cclock'];
  }
}

/** Orientations 5–8 swap width and height. */
export function swapsSides(o: Orientation): boolean {
  return o >= 5;
}
