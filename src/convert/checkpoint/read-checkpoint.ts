import { open, stat, type FileHandle } from 'node:fs/promises';
import { ConvertError } from '../convert-error.js';
import { TruncatedError } from './byte-source.js';
import { DataPastEndError, TorchScriptError, UnsupportedCheckpointError, type CheckpointLayout } from './checkpoint-layout.js';
import { readExactly } from './file-source.js';
import { readLegacyCheckpoint } from './legacy-format.js';
import { PickleFormatError, UnsafeGlobalError } from './pickle-globals.js';
import type { TensorRef } from './pickle-values.js';
import { fommStateDicts, type NetworkName, type StateDict } from './state-dicts.js';
import { readTensor } from './tensor-data.js';
import { ZipFormatError, ZipPathError } from './zip-directory.js';
import { readZipCheckpoint } from './zip-format.js';

/**
 * An official FOMM checkpoint opened for conversion, without running anything from it: the pickle is read by
 * the restricted unpickler, the kp_detector and generator state_dicts are found, and their tensors are read
 * from the file only when asked for (the discriminator and optimizer states are never read). Every failure is a
 * ConvertError of one sentence naming the file.
 */
export class Checkpoint {
  private constructor(
    readonly path: string,
    /** Bytes. */
    readonly size: number,
    readonly format: CheckpointLayout['format'],
    readonly networks: Readonly<Record<NetworkName, StateDict>>,
    private readonly file: FileHandle,
    private readonly layout: CheckpointLayout,
  ) {}

  static async open(path: string): Promise<Checkpoint> {
    const size = await fileSize(path);
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (e) {
      throw new ConvertError(`The checkpoint ${path} could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
    try {
      const layout = describeFailures(path, () => readLayout(file.fd, size));
      return new Checkpoint(path, size, layout.format, fommStateDicts(layout.root, path), file, layout);
    } catch (e) {
      await file.close();
      throw e;
    }
  }

  /** A tensor's values as float32. */
  async read(tensor: TensorRef): Promise<Float32Array> {
    try {
      return await readTensor(
        this.file,
        describeFailures(this.path, () => this.layout.span(tensor.storage)),
        tensor,
      );
    } catch (e) {
      throw failure(this.path, e);
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

function readLayout(fd: number, size: number): CheckpointLayout {
  const head = readExactly(fd, 0, Math.min(size, 512));
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return readZipCheckpoint(fd, size);
  if (new TextDecoder('latin1').decode(head.subarray(257, 262)) === 'ustar') {
    throw new UnsupportedCheckpointError('it is a tar archive, the format of PyTorch before 0.4');
  }
  return readLegacyCheckpoint(fd, size);
}

async function fileSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConvertError(`The checkpoint ${path} does not exist.`);
    throw new ConvertError(`The checkpoint ${path} could not be read (${code ?? (e as Error).message}).`);
  }
  if (info.isDirectory()) throw new ConvertError(`The checkpoint ${path} is a folder, not a .pth.tar file.`);
  if (info.size === 0) throw new ConvertError(`The checkpoint ${path} is empty.`);
  return info.size;
}

function describeFailures<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw failure(path, e);
  }
}

/** The one sentence for a reading failure. */
export function failure(path: string, e: unknown): Error {
  if (e instanceof ConvertError) return e;
  if (e instanceof UnsafeGlobalError) {
    return new ConvertError(
      `${path} holds Python objects other than weights (${e.globalName}), so it is not an official First Order Motion Model checkpoint and was not loaded.`,
    );
  }
  if (e instanceof TorchScriptError) {
    return new ConvertError(
      `${path} is a TorchScript program, not a checkpoint of weights, so it was not opened (loading it would run its code); ` +
        'use the official First Order Motion Model checkpoint.',
    );
  }
  if (e instanceof ZipPathError) {
    return new ConvertError(`${path} is a zip archive with an entry outside itself (${e.entryName}), so it was not opened.`);
  }
  if (e instanceof TruncatedError) {
    return new ConvertError(`${path} is truncated: it ends before the data it states, so it is not a complete checkpoint (download it again).`);
  }
  if (e instanceof DataPastEndError) {
    return new ConvertError(
      `${path} is truncated or damaged: a tensor states ${size(e.stated)} of data where the file holds ${size(e.available)}, ` +
        'so it was not read (download it again).',
    );
  }
  if (e instanceof UnsupportedCheckpointError) return new ConvertError(`${path} is a PyTorch checkpoint this converter cannot read (${e.message}).`);
  if (e instanceof PickleFormatError || e instanceof ZipFormatError) {
    return new ConvertError(`${path} is not a PyTorch checkpoint (${e.message}), so it is not a First Order Motion Model checkpoint.`);
  }
  if (isErrno(e)) return new ConvertError(`The checkpoint ${path} could not be read (${e.code}).`);
  return e instanceof Error ? e : new Error(String(e));
}

function size(bytes: number): string {
  if (bytes < 10_000) return `${bytes} bytes`;
  const [unit, scale] = bytes >= 1e12 ? ['TB', 1e12] : bytes >= 1e9 ? ['GB', 1e9] : bytes >= 1e6 ? ['MB', 1e6] : ['kB', 1e3];
  return `${(bytes / scale).toFixed(1)} ${unit}`;
}

function isErrno(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}
