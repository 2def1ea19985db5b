import type { ZipEntry } from './zip-directory.js';
import type { PickleValue, StorageRef } from './pickle-values.js';

/** Where a storage's bytes are in the file: `bytes` from `offset`, or inside a deflated zip entry. */
export interface StorageSpan {
  readonly offset: number;
  readonly bytes: number;
  /** Set when the bytes are compressed: the entry to inflate (bounded by its stated size) before slicing. */
  readonly deflated?: ZipEntry;
}

/** A checkpoint's unpickled object, with its tensors' storages still in the file. */
export interface CheckpointLayout {
  readonly format: 'legacy' | 'zip';
  readonly root: PickleValue;
  span(storage: StorageRef): StorageSpan;
}

/** A TorchScript archive: a program, refused before any of it is read. */
export class TorchScriptError extends Error {
  override readonly name = 'TorchScriptError';
}

/** The file is a PyTorch file of a kind this reader does not read (a big-endian one, an old tar archive). */
export class UnsupportedCheckpointError extends Error {
  override readonly name = 'UnsupportedCheckpointError';
}

/** A storage states more bytes than its data holds. */
export class DataPastEndError extends Error {
  override readonly name = 'DataPastEndError';
  constructor(
    readonly stated: number,
    readonly available: number,
  ) {
    super(`a tensor states ${stated} bytes where ${available} are left`);
  }
}
