/**
 * The parts of a zip archive's structure PyTorch's checkpoints use (APPNOTE.TXT): the end-of-directory record
 * (with its zip64 variant), the central directory and the local headers in front of each entry's data. Pure
 * functions over bytes; zip-archive.ts reads them from the file. Every offset and size is checked against the
 * file's size before it is used, and an entry name that would point outside the archive is refused.
 */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

export interface DirectoryLocation {
  readonly offset: number;
  readonly size: number;
  readonly entries: number;
  /** Where a zip64 end-of-directory record is, when the archive needs one. */
  readonly zip64RecordOffset?: number;
}

/** The archive's structure is not a zip's, or points outside the file. */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

/** An entry's name points outside the archive (`../x`, `/etc/x`). */
export class ZipPathError extends Error {
  override readonly name = 'ZipPathError';
  constructor(readonly entryName: string) {
    super(`the zip entry ${entryName} points outside the archive`);
  }
}

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
export const LOCAL_HEADER = 0x04034b50;
export const LOCAL_HEADER_BYTES = 30;
/** The end-of-directory record, its longest comment and a zip64 locator: what `tail` must hold. */
export const TAIL_BYTES = 22 + 0xffff + 20;
const MAX32 = 0xffffffff;

/** Finds the end-of-directory record in the file's last bytes (`tail`, which starts at `tailStart`). */
export function locateDirectory(tail: Uint8Array, tailStart: number, fileSize: number): DirectoryLocation {
  const view = viewOf(tail);
  for (let at = tail.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) !== END_OF_DIRECTORY || at + 22 + view.getUint16(at + 20, true) !== tail.length) continue;
    const entries = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 12, true);
    const offset = view.getUint32(at + 16, true);
    if (at >= 20 && view.getUint32(at - 20, true) === ZIP64_LOCATOR) {
      const record = Number(view.getBigUint64(at - 12, true));
      if (record + 56 > fileSize) throw new ZipFormatError('its zip64 directory record lies outside the file');
      return { offset, size, entries, zip64RecordOffset: record };
    }
    return checked({ offset, size, entries }, tailStart + at);
  }
  throw new ZipFormatError('it has no end-of-directory record');
}

/** The directory's location from a zip64 end-of-directory record (56 bytes at `zip64RecordOffset`). */
export function locateZip64Directory(record: Uint8Array, recordOffset: number): DirectoryLocation {
  const view = viewOf(record);
  if (record.length < 56 || view.getUint32(0, true) !== ZIP64_END_OF_DIRECTORY) throw new ZipFormatError('its zip64 directory record is damaged');
  const entries = safe(view.getBigUint64(32, true));
  const size = safe(view.getBigUint64(40, true));
  const offset = safe(view.getBigUint64(48, true));
  return checked({ offset, size, entries }, recordOffset);
}

function checked(location: DirectoryLocation, directoryEnd: number): DirectoryLocation {
  if (location.offset + location.size > directoryEnd) throw new ZipFormatError('its central directory lies outside the file');
  if (location.entries * 46 > location.size) throw new ZipFormatError('its central directory is shorter than its entries');
  return location;
}

/** The central directory's entries; `dataEnd` is where the directory starts (no entry's data may reach past it). */
export function parseDirectory(bytes: Uint8Array, count: number, dataEnd: number): ZipEntry[] {
  const view = viewOf(bytes);
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== DIRECTORY_ENTRY) throw new ZipFormatError('its central directory is damaged');
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > bytes.length) throw new ZipFormatError('its central directory is damaged');
    const name = entryName(bytes.subarray(at + 46, at + 46 + nameLength), (view.getUint16(at + 8, true) & 0x800) !== 0);
    if (names.has(name)) throw new ZipFormatError(`it holds two entries named ${name}`);
    names.add(name);
    const extra = bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const sizes = zip64Sizes(extra, view.getUint32(at + 24, true), view.getUint32(at + 20, true), view.getUint32(at + 42, true));
    if (sizes.localHeaderOffset + LOCAL_HEADER_BYTES + sizes.compressedSize > dataEnd) throw new ZipFormatError(`its entry ${name} lies outside the file`);
    entries.push({ name, method: view.getUint16(at + 10, true), ...sizes });
    at = end;
  }
  return entries;
}

/** Where an entry's data starts, from its 30-byte local header. */
export function dataOffset(header: Uint8Array, entry: ZipEntry, dataEnd: number): number {
  const view = viewOf(header);
  if (header.length < LOCAL_HEADER_BYTES || view.getUint32(0, true) !== LOCAL_HEADER) throw new ZipFormatError(`its entry ${entry.name} has no local header`);
  const start = entry.localHeaderOffset + LOCAL_HEADER_BYTES + view.getUint16(26, true) + view.getUint16(28, true);
  if (start + entry.compressedSize > dataEnd) throw new ZipFormatError(`its entry ${entry.name} lies outside the file`);
  return start;
}

/** The entry's name, refused when it would point outside the archive (an absolute path, a `..` step, a backslash). */
export function entryName(raw: Uint8Array, utf8: boolean): string {
  const name = new TextDecoder(utf8 ? 'utf-8' : 'latin1').decode(raw);
  const parts = name.split('/');
  if (name.includes('\\') || name.includes('\0') || name.startsWith('/') || /^[A-Za-z]:/.test(name) || parts.includes('..')) throw new ZipPathError(name);
  return name;
}

/** The 32-bit sizes and offset, replaced from the zip64 extra field (id 1) where they are 0xffffffff. */
function zip64Sizes(extra: Uint8Array, uncompressed: number, compressed: number, offset: number) {
  const wanted = [uncompressed, compressed, offset].map((v) => v === MAX32);
  const values = [uncompressed, compressed, offset];
  const view = viewOf(extra);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 1) {
      let field = at + 4;
      for (let i = 0; i < 3; i++) {
        if (!wanted[i]) continue;
        if (field + 8 > at + 4 + size || field + 8 > extra.length) throw new ZipFormatError('its zip64 sizes are damaged');
        values[i] = safe(view.getBigUint64(field, true));
        field += 8;
      }
      wanted.fill(false);
    }
    at += 4 + size;
  }
  if (wanted.some(Boolean)) throw new ZipFormatError('its zip64 sizes are missing');
  return { uncompressedSize: values[0]!, compressedSize: values[1]!, localHeaderOffset: values[2]! };
}

function safe(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('it states a size beyond any file');
  return Number(value);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
