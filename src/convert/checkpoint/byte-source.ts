/**
 * Sequential bytes for the pickle reader. `remaining` is what the source holds from the current position on:
 * every length read from the data is checked against it before anything is allocated.
 */
export interface ByteSource {
  /** Where the next byte is, from the source's start. */
  readonly position: number;
  readonly remaining: number;
  /** The next `length` bytes; throws TruncatedError when fewer are left. */
  read(length: number): Uint8Array;
}

/** The data ends before what it states (a truncated or damaged file). */
export class TruncatedError extends Error {
  override readonly name = 'TruncatedError';
}

export class BufferSource implements ByteSource {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  read(length: number): Uint8Array {
    if (length > this.remaining) throw new TruncatedError(`needs ${length} bytes at ${this.offset}, ${this.remaining} left`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
}
