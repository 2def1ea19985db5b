import { readSync } from 'node:fs';
import { TruncatedError, type ByteSource } from './byte-source.js';

const WINDOW = 1 << 16;

/**
 * A file read forwards through a small window (the legacy format's pickles, which precede its tensor data), never
 * past `end`. Reads block (readSync): the pickles are a few hundred kilobytes at most.
 */
export class FileSource implements ByteSource {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private offset: number;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
  ) {
    this.offset = start;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  read(length: number): Uint8Array {
    if (length > this.remaining) throw new TruncatedError(`needs ${length} bytes at ${this.offset}, ${this.remaining} left`);
    const inWindow = this.offset - this.windowStart;
    if (inWindow + length > this.window.length) {
      this.window = readExactly(this.fd, this.offset, Math.min(Math.max(length, WINDOW), this.end - this.offset));
      this.windowStart = this.offset;
    }
    const from = this.offset - this.windowStart;
    this.offset += length;
    return this.window.subarray(from, from + length);
  }
}

/** `length` bytes at `position` (which the caller has checked lie inside the file). */
export function readExactly(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, position + done);
    if (n === 0) throw new TruncatedError(`the file ended at ${position + done}`);
    done += n;
  }
  return out;
}
