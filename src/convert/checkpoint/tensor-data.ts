import type { FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { DataPastEndError, type StorageSpan } from './checkpoint-layout.js';
import { ELEMENT_BYTES, type StorageDtype, type TensorRef } from './pickle-values.js';

/**
 * A tensor's values as float32, read from the file when asked for (the bytes of the elements it uses, nothing
 * else); float16 and int64 storages are widened, as PyTorch's load_state_dict does into float32 parameters.
 */
export async function readTensor(file: FileHandle, span: StorageSpan, tensor: TensorRef): Promise<Float32Array> {
  const elementBytes = ELEMENT_BYTES[tensor.storage.dtype];
  const numel = tensor.numel;
  if (numel === 0) return new Float32Array(0);
  // Elements from the storage's first to the last the view reads (a view's storage starts `storage.offset` in).
  const first = tensor.storage.offset + tensor.offset;
  const last = first + tensor.shape.reduce((sum, d, i) => sum + (d - 1) * tensor.stride[i]!, 0);
  const extentBytes = (last - first + 1) * elementBytes;
  if ((last + 1) * elementBytes > span.bytes) throw new DataPastEndError((last + 1) * elementBytes, span.bytes);
  const raw = await readRange(file, span, first * elementBytes, extentBytes);
  const values = widen(raw, tensor.storage.dtype);
  return isContiguous(tensor) ? values : gather(values, tensor);
}

async function readRange(file: FileHandle, span: StorageSpan, from: number, length: number): Promise<Uint8Array> {
  if (span.deflated !== undefined) {
    const compressed = new Uint8Array(span.deflated.compressedSize);
    await readFully(file, compressed, span.offset);
    const whole = inflateRawSync(compressed, { maxOutputLength: Math.max(1, span.deflated.uncompressedSize) });
    if (from + length > whole.length) throw new DataPastEndError(from + length, whole.length);
    return whole.subarray(from, from + length);
  }
  // A buffer of its own, aligned for any element type.
  const out = new Uint8Array(new ArrayBuffer(length));
  await readFully(file, out, span.offset + from);
  return out;
}

async function readFully(file: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await file.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new DataPastEndError(into.length, done);
    done += bytesRead;
  }
}

function widen(raw: Uint8Array, dtype: StorageDtype): Float32Array {
  const aligned = raw.byteOffset % 8 === 0 ? raw : raw.slice();
  const view = new DataView(aligned.buffer, aligned.byteOffset, aligned.byteLength);
  switch (dtype) {
    case 'float32':
      return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
    case 'float16':
      return Float32Array.from({ length: aligned.byteLength / 2 }, (_, i) => halfToFloat(view.getUint16(2 * i, true)));
    case 'int64':
      return Float32Array.from({ length: aligned.byteLength / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function isContiguous(tensor: TensorRef): boolean {
  let expected = 1;
  for (let i = tensor.shape.length - 1; i >= 0; i--) {
    if (tensor.shape[i]! !== 1 && tensor.stride[i]! !== expected) return false;
    expected *= tensor.shape[i]!;
  }
  return true;
}

/** The view's elements in row-major order, from the span of storage it reads (which starts at its first element). */
function gather(extent: Float32Array, tensor: TensorRef): Float32Array {
  const out = new Float32Array(tensor.numel);
  const index = new Array<number>(tensor.shape.length).fill(0);
  for (let n = 0; n < out.length; n++) {
    out[n] = extent[index.reduce((sum, i, d) => sum + i * tensor.stride[d]!, 0)]!;
    for (let d = index.length - 1; d >= 0; d--) {
      index[d]! += 1;
      if (index[d]! < tensor.shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}
