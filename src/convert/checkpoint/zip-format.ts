import { inflateRawSync } from 'node:zlib';
import { BufferSource, TruncatedError } from './byte-source.js';
import { DataPastEndError, TorchScriptError, UnsupportedCheckpointError, type CheckpointLayout, type StorageSpan } from './checkpoint-layout.js';
import { readExactly } from './file-source.js';
import { PickleFormatError } from './pickle-globals.js';
import { unpickle } from './pickle-machine.js';
import { ELEMENT_BYTES, PickleTuple, StorageRef, StorageType, type PickleValue } from './pickle-values.js';
import {
  dataOffset,
  LOCAL_HEADER_BYTES,
  locateDirectory,
  locateZip64Directory,
  parseDirectory,
  TAIL_BYTES,
  ZipFormatError,
  type ZipEntry,
} from './zip-directory.js';

/** data.pkl of a checkpoint is metadata (names, shapes, optimizer settings): more than this is not one. */
const MAX_PICKLE_BYTES = 256 << 20;

/**
 * PyTorch's zip format (1.6 and later): `<folder>/data.pkl` is the pickle, `<folder>/data/<key>` each storage's
 * bytes, stored uncompressed. A TorchScript archive (code/, constants.pkl) is refused before anything is read.
 */
export function readZipCheckpoint(fd: number, fileSize: number): CheckpointLayout {
  const records = readRecords(fd, fileSize);
  if (records.has('constants.pkl') || [...records.keys()].some((name) => name.startsWith('code/'))) {
    throw new TorchScriptError('the archive holds code/ or constants.pkl');
  }
  const byteorder = records.get('byteorder');
  if (byteorder !== undefined && new TextDecoder().decode(entryBytes(fd, byteorder, fileSize, 16)).trim() !== 'little') {
    throw new UnsupportedCheckpointError('it was saved on a big-endian machine');
  }
  const pickle = records.get('data.pkl');
  if (pickle === undefined) throw new ZipFormatError('it is a zip archive without data.pkl');
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: PickleValue): PickleValue => {
    // ('storage', storage type, key, location, numel)
    const [kind, type, key, , numel] = pid instanceof PickleTuple ? pid.items : [];
    if (kind !== 'storage' || !(type instanceof StorageType) || typeof key !== 'string' || typeof numel !== 'number' || !(numel >= 0)) {
      throw new PickleFormatError('a persistent id that is not a tensor storage');
    }
    const known = storages.get(key);
    if (known !== undefined) {
      if (known.dtype !== type.dtype || known.numel !== numel) throw new PickleFormatError(`the storage ${key} is stated twice, differently`);
      return known;
    }
    const record = records.get(`data/${key}`);
    if (record === undefined) throw new ZipFormatError(`it has no data/${key} for a tensor`);
    if (numel * ELEMENT_BYTES[type.dtype] > record.uncompressedSize) throw new DataPastEndError(numel * ELEMENT_BYTES[type.dtype], record.uncompressedSize);
    const storage = new StorageRef(key, type.dtype, numel);
    storages.set(key, storage);
    return storage;
  };
  const root = unpickle(new BufferSource(entryBytes(fd, pickle, fileSize, MAX_PICKLE_BYTES)), persistentLoad);
  return { format: 'zip', root, span: (storage) => span(fd, fileSize, records.get(`data/${storage.key}`)!, storage) };
}

/** The archive's entries, by name inside its one top folder (PyTorch's record names). */
function readRecords(fd: number, fileSize: number): Map<string, ZipEntry> {
  const tailStart = Math.max(0, fileSize - TAIL_BYTES);
  let location;
  try {
    location = locateDirectory(readExactly(fd, tailStart, fileSize - tailStart), tailStart, fileSize);
  } catch (e) {
    // It starts as a zip archive but has no end: most likely a download cut short.
    if (e instanceof ZipFormatError) throw new TruncatedError(e.message);
    throw e;
  }
  if (location.zip64RecordOffset !== undefined) {
    location = locateZip64Directory(readExactly(fd, location.zip64RecordOffset, 56), location.zip64RecordOffset);
  }
  const entries = parseDirectory(readExactly(fd, location.offset, location.size), location.entries, location.offset);
  const records = new Map<string, ZipEntry>();
  const folders = new Set(entries.map((e) => e.name.split('/')[0]));
  if (folders.size !== 1 || entries.some((e) => !e.name.includes('/'))) throw new ZipFormatError('its entries are not in one folder, as PyTorch writes them');
  for (const entry of entries) records.set(entry.name.slice(entry.name.indexOf('/') + 1), entry);
  return records;
}

/** A small entry's contents (data.pkl, byteorder), inflated if need be; refused past `limit` bytes. */
function entryBytes(fd: number, entry: ZipEntry, fileSize: number, limit: number): Uint8Array {
  if (entry.uncompressedSize > limit) throw new ZipFormatError(`its entry ${entry.name} is ${entry.uncompressedSize} bytes`);
  const start = dataOffset(readExactly(fd, entry.localHeaderOffset, LOCAL_HEADER_BYTES), entry, fileSize);
  const raw = readExactly(fd, start, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method !== 8) throw new ZipFormatError(`its entry ${entry.name} is compressed by method ${entry.method}`);
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  } catch {
    throw new ZipFormatError(`its entry ${entry.name} does not inflate to its stated size`);
  }
}

function span(fd: number, fileSize: number, entry: ZipEntry, storage: StorageRef): StorageSpan {
  const offset = dataOffset(readExactly(fd, entry.localHeaderOffset, LOCAL_HEADER_BYTES), entry, fileSize);
  const bytes = storage.numel * ELEMENT_BYTES[storage.dtype];
  if (entry.method === 8) return { offset, bytes, deflated: entry };
  if (entry.method !== 0) throw new ZipFormatError(`its entry ${entry.name} is compressed by method ${entry.method}`);
  if (bytes > entry.compressedSize) throw new DataPastEndError(bytes, entry.compressedSize);
  return { offset, bytes };
}
