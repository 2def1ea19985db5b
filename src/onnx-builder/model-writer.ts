import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { toFloat16 } from './float16.js';
import { writeNode, writeTensorHeader, writeValueInfo } from './onnx-encoding.js';
import { bytesPerElement, elementCount, type Initializer, type OnnxGraph } from './onnx-graph.js';
import { TensorDataType } from './onnx-types.js';
import { ProtoWriter } from './protobuf-writer.js';

export interface ModelInfo {
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly opsetVersion: number;
  /** metadata_props, in this order. */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface WriteStats {
  readonly bytes: number;
  /** Float weights written as float16 that lay beyond its range and were clipped. */
  readonly clipped: number;
}

/** A part of the file: bytes at hand, or an initializer's data, produced when its turn comes. */
type Segment = Uint8Array | { readonly length: number; readonly tensor: Initializer };

const FLUSH_BYTES = 1 << 20;

/**
 * Writes the graph as an ONNX ModelProto (IR version 8) to `path`, streaming: the message lengths protobuf needs
 * up front are computed from the initializers' shapes, and each initializer's data is produced, written and
 * dropped in turn, so memory holds one tensor at a time rather than the model. An aborted `signal` stops it between
 * tensors (the partial file is the caller's to remove).
 */
export async function writeModelFile(path: string, graph: OnnxGraph, info: ModelInfo, signal?: AbortSignal): Promise<WriteStats> {
  if (endianness() !== 'LE') throw new Error('writing ONNX files needs a little-endian machine');
  const segments = modelSegments(graph, info);
  const file = await open(path, 'w');
  let clipped = 0;
  let bytes = 0;
  try {
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes > 0) await writeAll(file, Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    };
    for (const segment of segments) {
      if (segment instanceof Uint8Array) {
        pending.push(segment);
        pendingBytes += segment.length;
        if (pendingBytes >= FLUSH_BYTES) await flush();
        bytes += segment.length;
        continue;
      }
      await flush();
      signal?.throwIfAborted();
      const data = await tensorBytes(segment.tensor);
      if (data.bytes.length !== segment.length) {
        throw new Error(`the initializer ${segment.tensor.name} gave ${data.bytes.length} bytes, not the ${segment.length} its shape needs`);
      }
      await writeAll(file, data.bytes);
      clipped += data.clipped;
      bytes += data.bytes.length;
    }
    await flush();
  } finally {
    await file.close();
  }
  return { bytes, clipped };
}

function modelSegments(graph: OnnxGraph, info: ModelInfo): Segment[] {
  const head = new ProtoWriter().int(1, 8).string(2, info.producerName).string(3, info.producerVersion).string(6, info.docString);
  const body = graphSegments(graph);
  head.lengthDelimited(7, segmentsLength(body));
  const tail = new ProtoWriter().message(8, (o) => o.string(1, '').int(2, info.opsetVersion));
  for (const [key, value] of Object.entries(info.properties ?? {})) tail.message(14, (p) => p.string(1, key).string(2, value));
  return [head.finish(), ...body, tail.finish()];
}

function graphSegments(graph: OnnxGraph): Segment[] {
  const nodes = new ProtoWriter();
  for (const node of graph.nodes) nodes.message(1, (n) => writeNode(n, node));
  nodes.string(2, graph.name);
  const out: Segment[] = [nodes.finish()];
  for (const tensor of graph.initializers) {
    const length = elementCount(tensor.dims) * bytesPerElement(tensor.dataType);
    const header = new ProtoWriter();
    writeTensorHeader(header, tensor.name, tensor.dataType, tensor.dims);
    header.lengthDelimited(9, length);
    const headerBytes = header.finish();
    out.push(new ProtoWriter().lengthDelimited(5, headerBytes.length + length).finish(), headerBytes, { length, tensor });
  }
  const values = new ProtoWriter();
  for (const v of graph.inputs) values.message(11, (m) => writeValueInfo(m, v));
  for (const v of graph.outputs) values.message(12, (m) => writeValueInfo(m, v));
  out.push(values.finish());
  return out;
}

function segmentsLength(segments: readonly Segment[]): number {
  return segments.reduce((n, s) => n + s.length, 0);
}

/** An initializer's raw_data: little-endian values of its stored type. */
async function tensorBytes(tensor: Initializer): Promise<{ bytes: Uint8Array; clipped: number }> {
  const source = tensor.values;
  if (source.kind === 'int64') {
    if (tensor.dataType !== TensorDataType.INT64) throw new Error(`the int64 initializer ${tensor.name} cannot be stored as type ${tensor.dataType}`);
    return { bytes: littleEndian(source.values), clipped: 0 };
  }
  const values = source.kind === 'float32' ? source.values : await source.produce();
  if (tensor.dataType === TensorDataType.FLOAT16) {
    const half = toFloat16(values);
    return { bytes: littleEndian(half.bits), clipped: half.clipped };
  }
  if (tensor.dataType !== TensorDataType.FLOAT) throw new Error(`the float initializer ${tensor.name} cannot be stored as type ${tensor.dataType}`);
  return { bytes: littleEndian(values), clipped: 0 };
}

/** The array's bytes (typed arrays are in the machine's order, which writeModelFile requires to be little-endian). */
function littleEndian(values: Float32Array | Uint16Array | BigInt64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
