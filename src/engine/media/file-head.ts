import { open } from 'node:fs/promises';

/** The first `n` bytes of a file (fewer if it is shorter). */
export async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Where a photo's EXIF can be: the first 256 KiB of a JPEG or PNG (it must precede the image data there). */
const EXIF_HEAD_BYTES = 256 * 1024;
/** WebP chunks walked at most looking for EXIF (an animated WebP has one per frame). */
const MAX_WEBP_CHUNKS = 10_000;
const MAX_EXIF_BYTES = 1 << 20;

/**
 * The bytes that hold a photo's EXIF, for readOrientation: the file's head — except for a WebP
 * whose EXIF chunk comes after the image data, as the format puts it: then the RIFF header and
 * that chunk, found by reading the chunk headers only (the file is never read whole).
 */
export async function readExifBytes(path: string): Promise<Uint8Array> {
  const head = await readHead(path, EXIF_HEAD_BYTES);
  const tag = (at: number) => Buffer.from(head.buffer, head.byteOffset + at, 4).toString('latin1');
  if (head.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WEBP') return head;
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const header = Buffer.alloc(8);
    let at = 12;
    for (let n = 0; n < MAX_WEBP_CHUNKS && at + 8 <= size; n++) {
      await fh.read(header, 0, 8, at);
      const length = header.readUInt32LE(4);
      if (header.toString('latin1', 0, 4) === 'EXIF') {
        const chunk = Buffer.alloc(8 + Math.min(length, MAX_EXIF_BYTES));
        header.copy(chunk, 0);
        const { bytesRead } = await fh.read(chunk, 8, chunk.length - 8, at + 8);
        return Buffer.concat([head.subarray(0, 12), chunk.subarray(0, 8 + bytesRead)]);
      }
      at += 8 + length + (length & 1);
    }
    return head;
  } finally {
    await fh.close();
  }
}
