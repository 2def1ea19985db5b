/**
 * What a file is, from its first bytes (magic numbers), before ffmpeg sees it.
 * The engine then names the demuxer explicitly (`-f`), so ffmpeg never guesses
 * a format from content or file name: a playlist cannot pass for a video, a
 * video for a photo, and an image file name never selects the image-sequence
 * demuxer (which expands patterns).
 */
export type SniffedKind = 'image' | 'video' | 'image-or-video' | 'playlist' | 'unknown';

export interface Sniffed {
  readonly kind: SniffedKind;
  /** ffmpeg demuxer to open it with; null when it must not be opened. */
  readonly demuxer: string | null;
  /** Human name of the format. */
  readonly name: string;
}

const ascii = (b: Uint8Array, at: number, n: number) => (b.length >= at + n ? String.fromCharCode(...b.subarray(at, at + n)) : '');
const startsWith = (b: Uint8Array, bytes: readonly number[]) => bytes.every((v, i) => b[i] === v);
const MP4_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip', 'pnot']);

export function sniffMedia(file: Uint8Array): Sniffed {
  const bom = file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf;
  const head = bom ? file.subarray(3) : file;
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'image', demuxer: 'jpeg_pipe', name: 'JPEG' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', demuxer: 'png_pipe', name: 'PNG' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return { kind: 'image', demuxer: 'webp_pipe', name: 'WebP' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'AVI ') return { kind: 'video', demuxer: 'avi', name: 'AVI' };
  if (ascii(head, 0, 2) === 'BM' && head.length >= 26) return { kind: 'image', demuxer: 'bmp_pipe', name: 'BMP' };
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return { kind: 'image-or-video', demuxer: 'gif', name: 'GIF' };
  if (MP4_BOXES.has(ascii(head, 4, 4))) return { kind: 'video', demuxer: 'mov', name: 'MP4/MOV' };
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return { kind: 'video', demuxer: 'matroska', name: 'WebM/MKV' };
  const text = ascii(head, 0, Math.min(head.length, 64)).trimStart();
  if (text.startsWith('#EXTM3U')) return { kind: 'playlist', demuxer: null, name: 'HLS playlist' };
  if (text.startsWith('ffconcat')) return { kind: 'playlist', demuxer: null, name: 'ffconcat list' };
  if (/^\[playlist\]|^<\?xml|^<smil|^<MPD/i.test(text)) return { kind: 'playlist', demuxer: null, name: 'playlist' };
  return { kind: 'unknown', demuxer: null, name: 'unknown' };
}
