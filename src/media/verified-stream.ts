/**
 * Reading an object back, for both backends: chunk by chunk, each checked (length, SHA-256) before it is passed on,
 * the whole object's SHA-256 checked before the stream ends. One chunk is fetched only when the consumer wants more,
 * so a slow consumer holds at most a chunk or two in memory.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { chunkCount, chunkLength, sha256 } from './chunks.js';
import { MediaIntegrityError } from './errors.js';

/** What the writer recorded of an object: the reader checks the stored bytes against it. */
export interface WrittenObject {
  readonly key: string;
  readonly bytes: number;
  /** hex */
  readonly sha256: string;
  readonly chunkBytes: number;
  readonly chunkCount: number;
}

/** Where the chunks come from: a file handle, a database connection in a snapshot. */
export interface ChunkSource {
  /** The chunk's bytes and the SHA-256 written with them; null when the chunk is not there. */
  chunk(index: number): Promise<{ readonly data: Buffer; readonly sha256: Buffer } | null>;
  /** Releases the handle or connection (with the error that ended the read, if one did). Called exactly once. */
  close(error: Error | null): Promise<void>;
}

/** The counts of a written object must agree with each other before anything is read. */
export function checkWrittenObject(o: WrittenObject): void {
  if (o.chunkCount !== chunkCount(o.bytes, o.chunkBytes)) {
    throw new MediaIntegrityError(o.key, 'record', `its record says ${o.bytes} bytes in ${o.chunkCount} chunks of ${o.chunkBytes}, which cannot be`);
  }
}

async function verifiedChunk(o: WrittenObject, source: ChunkSource, index: number): Promise<Buffer> {
  const got = await source.chunk(index);
  const n = `chunk ${index + 1} of ${o.chunkCount}`;
  if (got === null) throw new MediaIntegrityError(o.key, 'missing-chunk', `${n} is missing`);
  const want = chunkLength(o.bytes, o.chunkBytes, index);
  if (got.data.length !== want) throw new MediaIntegrityError(o.key, 'chunk-size', `${n} is ${got.data.length} bytes where ${want} were written`);
  if (!sha256(got.data).equals(got.sha256)) throw new MediaIntegrityError(o.key, 'chunk-checksum', `${n} does not match its SHA-256`);
  return got.data;
}

/** A Readable of the object's verified bytes; it fails with MediaIntegrityError at the first damage. */
export function verifiedStream(o: WrittenObject, source: ChunkSource): Readable {
  const whole = createHash('sha256');
  let next = 0;
  let closed: Promise<void> | null = null;
  const close = (error: Error | null) => (closed ??= source.close(error));
  return new Readable({
    read() {
      const step = async () => {
        if (next === o.chunkCount) {
          const hex = whole.digest('hex');
          if (hex !== o.sha256) throw new MediaIntegrityError(o.key, 'checksum', `its SHA-256 is ${hex} where ${o.sha256} was written`);
          await close(null);
          this.push(null);
          return;
        }
        const data = await verifiedChunk(o, source, next);
        next += 1;
        whole.update(data);
        this.push(data);
      };
      step().catch((e: unknown) => this.destroy(e as Error));
    },
    destroy(error, callback) {
      close(error).then(
        () => callback(error),
        (e: unknown) => callback(error ?? (e as Error)),
      );
    },
  });
}
