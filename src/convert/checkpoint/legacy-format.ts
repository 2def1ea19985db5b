import { DataPastEndError, UnsupportedCheckpointError, type CheckpointLayout, type StorageSpan } from './checkpoint-layout.js';
import { TruncatedError } from './byte-source.js';
import { FileSource, readExactly } from './file-source.js';
import { PickleFormatError } from './pickle-globals.js';
import { unpickle, type PersistentLoad } from './pickle-machine.js';
import { ELEMENT_BYTES, PickleDict, PickleList, PickleTuple, StorageRef, StorageType, type PickleValue } from './pickle-values.js';

/** torch.save's legacy stream starts with this number (torch/serialization.py's MAGIC_NUMBER) and protocol 1001. */
const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/**
 * PyTorch's legacy format (before 1.6; what the published FOMM checkpoints are): four pickles — the magic number,
 * the protocol version, system information, the object itself — then the list of storage keys, then each storage
 * in that order as an 8-byte element count followed by its bytes. Only the headers are read here: a storage's
 * place is found by stepping over the ones before it, and its bytes are read later, if a tensor that is kept
 * uses them.
 */
export function readLegacyCheckpoint(fd: number, fileSize: number): CheckpointLayout {
  const source = new FileSource(fd, 0, fileSize);
  const noStorages: PersistentLoad = () => {
    throw new PickleFormatError('a tensor storage in the file header');
  };
  if (readMagic(source, noStorages) !== MAGIC_NUMBER) throw new PickleFormatError('it is neither a zip archive nor in PyTorch’s legacy format');
  if (unpickle(source, noStorages) !== PROTOCOL_VERSION) throw new PickleFormatError('its protocol version is not 1001');
  const systemInfo = unpickle(source, noStorages);
  if (systemInfo instanceof PickleDict && systemInfo.entries.get('little_endian') === false) {
    throw new UnsupportedCheckpointError('it was saved on a big-endian machine');
  }
  const storages = new Map<string, StorageRef>();
  const root = unpickle(source, (pid) => storage(pid, storages));
  const keys = unpickle(source, noStorages);
  if (!(keys instanceof PickleList) || !keys.items.every((k) => typeof k === 'string')) throw new PickleFormatError('its storage list is not a list of keys');
  const spans = locateStorages(fd, fileSize, source.position, keys.items as string[], storages);
  return {
    format: 'legacy',
    root,
    span: (s) => {
      const whole = spans.get(s.key)!;
      return { offset: whole.offset, bytes: whole.bytes };
    },
  };
}

/** The first pickle, which a legacy file starts with; anything unreadable there means it is not one (a program refused by name stays refused). */
function readMagic(source: FileSource, noStorages: PersistentLoad): PickleValue {
  try {
    return unpickle(source, noStorages);
  } catch (e) {
    if (e instanceof PickleFormatError || e instanceof TruncatedError) return null;
    throw e;
  }
}

/**
 * The persistent id ('storage', storage type, root key, location, numel, view) → a storage reference (a view of
 * a root storage when `view` is (view key, offset, size)). Nothing is allocated: the sizes are checked against
 * the file when the storages are located.
 */
function storage(pid: PickleValue, storages: Map<string, StorageRef>): StorageRef {
  const [kind, type, key, , numel, view] = pid instanceof PickleTuple ? pid.items : [];
  if (kind !== 'storage' || !(type instanceof StorageType) || typeof key !== 'string' || typeof numel !== 'number' || !(numel >= 0)) {
    throw new PickleFormatError('a persistent id that is not a tensor storage');
  }
  let root = storages.get(key);
  if (root === undefined) {
    root = new StorageRef(key, type.dtype, numel);
    storages.set(key, root);
  } else if (root.dtype !== type.dtype || root.numel !== numel) {
    throw new PickleFormatError(`the storage ${key} is stated twice, differently`);
  }
  if (view === null || view === undefined) return root;
  const [, offset, size] = view instanceof PickleTuple ? view.items : [];
  if (typeof offset !== 'number' || typeof size !== 'number' || offset < 0 || size < 0 || offset + size > numel) {
    throw new PickleFormatError(`a view of the storage ${key} that lies outside it`);
  }
  return new StorageRef(key, type.dtype, size, offset);
}

/** Steps over the storages in file order, reading each one's element count; every size is checked against the file. */
function locateStorages(fd: number, fileSize: number, start: number, keys: readonly string[], storages: Map<string, StorageRef>): Map<string, StorageSpan> {
  const spans = new Map<string, StorageSpan>();
  let position = start;
  for (const key of keys) {
    const root = storages.get(key);
    if (root === undefined || spans.has(key)) throw new PickleFormatError(`the storage list names ${key}, which no tensor uses`);
    if (position + 8 > fileSize) throw new DataPastEndError(8, fileSize - position);
    const numel = new DataView(readExactly(fd, position, 8).buffer).getBigInt64(0, true);
    if (numel !== BigInt(root.numel)) throw new PickleFormatError(`the storage ${key} holds ${numel} elements where its tensor states ${root.numel}`);
    const bytes = root.numel * ELEMENT_BYTES[root.dtype];
    if (position + 8 + bytes > fileSize) throw new DataPastEndError(bytes, fileSize - position - 8);
    spans.set(key, { offset: position + 8, bytes });
    position += 8 + bytes;
  }
  const missing = [...storages.keys()].find((k) => !spans.has(k));
  if (missing !== undefined) throw new PickleFormatError(`the storage ${missing} is not in the file`);
  return spans;
}
