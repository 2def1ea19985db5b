import { ProtoWriter } from './protobuf-writer.js';
import { writeNode, writeTensorHeader, writeValueInfo } from './onnx-encoding.js';
import { TensorDataType, type AttributeValue, type Dim } from './onnx-types.js';

/**
 * Builds an ONNX model (ModelProto bytes) from TypeScript: named inputs, constant
 * initialisers, operator nodes and outputs. Deterministic: the same calls give
 * the same bytes, so generated model files can be checked into the repository
 * and verified by a test.
 */
export type Value = string & { readonly __onnxValue: unique symbol };

interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly name: string;
}

interface TensorSpec {
  readonly name: string;
  readonly dataType: TensorDataType;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

interface ValueInfoSpec {
  readonly name: string;
  readonly dataType: TensorDataType;
  readonly shape: readonly Dim[];
}

export interface ModelMetadata {
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly opsetVersion: number;
  readonly properties?: Readonly<Record<string, string>>;
}

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: TensorSpec[] = [];
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private counter = 0;

  constructor(private readonly graphName: string) {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, shape: readonly Dim[], dataType: TensorDataType = TensorDataType.FLOAT): Value {
    this.inputs.push({ name, dataType, shape });
    return name as Value;
  }

  /** Declares `value` as a graph output under `name` (adds an Identity node when the names differ). */
  output(value: Value, name: string, shape: readonly Dim[], dataType: TensorDataType = TensorDataType.FLOAT): void {
    if (value !== name) {
      this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], attributes: {}, name: this.fresh('Identity') });
    }
    this.outputs.push({ name, dataType, shape });
  }

  /** A float32 constant tensor. */
  floats(data: readonly number[] | Float32Array, dims: readonly number[], name?: string): Value {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    checkSize(arr.length, dims);
    const raw = new Uint8Array(arr.length * 4);
    const view = new DataView(raw.buffer);
    arr.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.tensor(name ?? this.fresh('const_f'), TensorDataType.FLOAT, dims, raw);
  }

  /** An int64 constant tensor (shapes, axes, slice bounds). */
  int64s(data: readonly number[], dims: readonly number[] = [data.length], name?: string): Value {
    checkSize(data.length, dims);
    const raw = new Uint8Array(data.length * 8);
    const view = new DataView(raw.buffer);
    data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    return this.tensor(name ?? this.fresh('const_i'), TensorDataType.INT64, dims, raw);
  }

  scalar(value: number): Value {
    return this.floats([value], []);
  }

  private tensor(name: string, dataType: TensorDataType, dims: readonly number[], raw: Uint8Array): Value {
    this.initializers.push({ name, dataType, dims, raw });
    return name as Value;
  }

  /** Adds one node and returns its outputs (`outputCount` of them). */
  opN(opType: string, inputs: readonly Value[], outputCount: number, attributes: Record<string, AttributeValue> = {}): Value[] {
    const name = this.fresh(opType);
    const outputs = Array.from({ length: outputCount }, (_, i) => `${name}_out${i}`);
    this.nodes.push({ opType, inputs, outputs, attributes, name });
    return outputs as Value[];
  }

  op(opType: string, inputs: readonly Value[], attributes: Record<string, AttributeValue> = {}): Value {
    const [out] = this.opN(opType, inputs, 1, attributes);
    return out as Value;
  }

  toModel(meta: ModelMetadata): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, 8); // ir_version 8 (ONNX 1.10+, opsets up to 17)
    w.string(2, meta.producerName);
    w.string(3, meta.producerVersion);
    w.string(6, meta.docString);
    w.message(7, (g) => this.writeGraph(g));
    w.message(8, (o) => o.string(1, '').int(2, meta.opsetVersion));
    for (const [key, value] of Object.entries(meta.properties ?? {})) {
      w.message(14, (p) => p.string(1, key).string(2, value));
    }
    return w.finish();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const node of this.nodes) g.message(1, (n) => writeNode(n, node));
    g.string(2, this.graphName);
    for (const t of this.initializers) g.message(5, (m) => writeTensor(m, t));
    for (const v of this.inputs) g.message(11, (m) => writeValueInfo(m, v));
    for (const v of this.outputs) g.message(12, (m) => writeValueInfo(m, v));
  }
}

function checkSize(length: number, dims: readonly number[]): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== length) throw new Error(`constant has ${length} values but dims ${JSON.stringify(dims)} need ${expected}`);
}

function writeTensor(w: ProtoWriter, t: TensorSpec): void {
  writeTensorHeader(w, t.name, t.dataType, t.dims);
  w.bytes(9, t.raw);
}
