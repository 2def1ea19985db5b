/**
 * The zip structure parser (src/convert/checkpoint/zip-directory.ts) on hand-built archives: entries and their
 * data found, zip64 sizes read, and names or offsets that point outside the archive refused.
 */
import { describe, expect, it } from 'vitest';
import { dataOffset, locateDirectory, parseDirectory, ZipFormatError, ZipPathError, type ZipEntry } from '../../src/convert/checkpoint/zip-directory.js';

interface Spec {
  readonly name: string;
  readonly data: Uint8Array;
  /** Write the sizes and offset as 0xffffffff with a zip64 extra field. */
  readonly zip64?: boolean;
  /** Claim this local header offset in the central directory instead of the real one. */
  readonly claimedOffset?: number;
}

/** A stored (uncompressed) zip archive, as PyTorch writes them. */
function zip(specs: readonly Spec[], comment = ''): Uint8Array {
  const parts: number[] = [];
  const central: number[] = [];
  const le = (n: number, bytes: number) => Array.from({ length: bytes }, (_, i) => Number((BigInt(n) >> BigInt(8 * i)) & 0xffn));
  for (const spec of specs) {
    const name = [...new TextEncoder().encode(spec.name)];
    const offset = parts.length;
    parts.push(...le(0x04034b50, 4), ...le(20, 2), ...le(0x800, 2), ...le(0, 2), ...le(0, 4), ...le(0, 4));
    parts.push(...le(spec.data.length, 4), ...le(spec.data.length, 4), ...le(name.length, 2), ...le(0, 2), ...name, ...spec.data);
    const extra = spec.zip64 ? [...le(1, 2), ...le(24, 2), ...le(spec.data.length, 8), ...le(spec.data.length, 8), ...le(offset, 8)] : [];
    const size = spec.zip64 ? 0xffffffff : spec.data.length;
    central.push(...le(0x02014b50, 4), ...le(45, 2), ...le(45, 2), ...le(0x800, 2), ...le(0, 2), ...le(0, 4), ...le(0, 4));
    central.push(...le(size, 4), ...le(size, 4), ...le(name.length, 2), ...le(extra.length, 2), ...le(0, 2), ...le(0, 2), ...le(0, 2), ...le(0, 4));
    central.push(...le(spec.zip64 ? 0xffffffff : (spec.claimedOffset ?? offset), 4), ...name, ...extra);
  }
  const directoryOffset = parts.length;
  const commentBytes = [...new TextEncoder().encode(comment)];
  const end = [...le(0x06054b50, 4), ...le(0, 4), ...le(specs.length, 2), ...le(specs.length, 2), ...le(central.length, 4), ...le(directoryOffset, 4)];
  return Uint8Array.from([...parts, ...central, ...end, ...le(commentBytes.length, 2), ...commentBytes]);
}

function entries(archive: Uint8Array): ZipEntry[] {
  const location = locateDirectory(archive, 0, archive.length);
  return parseDirectory(archive.subarray(location.offset, location.offset + location.size), location.entries, location.offset);
}

function contents(archive: Uint8Array, entry: ZipEntry): string {
  const start = dataOffset(archive.subarray(entry.localHeaderOffset, entry.localHeaderOffset + 30), entry, archive.length);
  return new TextDecoder().decode(archive.subarray(start, start + entry.compressedSize));
}

const text = (s: string) => new TextEncoder().encode(s);

describe('GIVEN a zip archive laid out as PyTorch writes one', () => {
  it('THEN its entries and their data are found', () => {
    const archive = zip([
      { name: 'vox/data.pkl', data: text('pickle') },
      { name: 'vox/data/0', data: text('0123456789') },
    ]);
    const found = entries(archive);
    expect(found.map((e) => [e.name, e.uncompressedSize, e.method])).toEqual([
      ['vox/data.pkl', 6, 0],
      ['vox/data/0', 10, 0],
    ]);
    expect(contents(archive, found[1]!)).toBe('0123456789');
  });

  it('THEN zip64 sizes and offsets are read from the extra field', () => {
    const archive = zip([
      { name: 'a/x', data: text('first') },
      { name: 'a/y', data: text('second'), zip64: true },
    ]);
    const found = entries(archive);
    expect(found[1]).toMatchObject({ name: 'a/y', compressedSize: 6, uncompressedSize: 6 });
    expect(contents(archive, found[1]!)).toBe('second');
  });

  it('THEN an archive comment does not hide the end of the directory', () => {
    expect(entries(zip([{ name: 'a/x', data: text('x') }], 'a comment')).map((e) => e.name)).toEqual(['a/x']);
  });
});

describe('GIVEN a zip archive that points outside itself', () => {
  it.each(['../evil.sh', 'archive/../../evil.sh', '/etc/passwd', 'C:/Windows/evil.dll', 'archive\\..\\evil'])('named %s THEN refused by name', (name) => {
    const archive = zip([
      { name: 'archive/data.pkl', data: text('x') },
      { name, data: text('y') },
    ]);
    expect(() => entries(archive)).toThrow(new ZipPathError(name));
  });

  it('with an entry whose data lies past the end of the file THEN refused', () => {
    const archive = zip([{ name: 'a/x', data: text('data'), claimedOffset: 1_000_000 }]);
    expect(() => entries(archive)).toThrow(/lies outside the file/);
  });

  it('with two entries of one name THEN refused (readers could disagree on which is meant)', () => {
    const archive = zip([
      { name: 'a/data.pkl', data: text('x') },
      { name: 'a/data.pkl', data: text('y') },
    ]);
    expect(() => entries(archive)).toThrow(/two entries named a\/data\.pkl/);
  });

  it('without the end of its directory (cut short) THEN refused', () => {
    const archive = zip([{ name: 'a/x', data: text('data') }]);
    expect(() => entries(archive.subarray(0, archive.length - 30))).toThrow(ZipFormatError);
  });
});
