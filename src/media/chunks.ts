/** Cutting an input into fixed-size chunks (the last one shorter), and the checksums written with them. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { MediaIntegrityError } from './errors.js';
import type { MediaSource, PutOptions } from './media-store.js';

const isIterable = (s: MediaSource): s is AsyncIterable<Uint8Array | string> =>
  typeof (s as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

/**
 * Yields the source's bytes in chunks of exactly `size` bytes, the last one shorter (nothing for an empty source).
 * Holds at most one chunk plus what the source hands over at once.
 */
export async function* fixedChunks(source: MediaSource, size: number): AsyncGenerator<Buffer> {
  const input = isIterable(source) ? source : createReadStream(source.path, { highWaterMark: size });
  let pieces: Buffer[] = [];
  let held = 0;
  for await (const piece of input) {
    let buf = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (held + buf.length >= size) {
      const take = size - held;
      pieces.push(buf.subarray(0, take));
      yield pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size);
      pieces = [];
      held = 0;
      buf = buf.subarray(take);
    }
    if (buf.length > 0) {
      pieces.push(buf);
      held += buf.length;
    }
  }
  if (held > 0) yield Buffer.concat(pieces, held);
}

export const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** The whole object's size and SHA-256, fed chunk by chunk as it is written. */
export class ObjectDigest {
  private readonly hash = createHash('sha256');
  bytes = 0;
  chunks = 0;

  add(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.chunks += 1;
  }

  /** Hex; call once, when all chunks are in. */
  finish(key: string, expected: PutOptions = {}): string {
    const hex = this.hash.digest('hex');
    if (expected.expectedBytes !== undefined && expected.expectedBytes !== this.bytes) {
      throw new MediaIntegrityError(key, 'input', `the input is ${this.bytes} bytes where ${expected.expectedBytes} were expected`);
    }
    if (expected.expectedSha256 !== undefined && expected.expectedSha256.toLowerCase() !== hex) {
      throw new MediaIntegrityError(key, 'input', `the input's SHA-256 is ${hex} where ${expected.expectedSha256} was expected`);
    }
    return hex;
  }
}

/** How many chunks an object of `bytes` bytes has, and how long chunk `index` must be. */
export function chunkCount(bytes: number, chunkBytes: number): number {
  return Math.ceil(bytes / chunkBytes);
}

export function chunkLength(bytes: number, chunkBytes: number, index: number): number {
  return Math.min(chunkBytes, bytes - index * chunkBytes);
}
