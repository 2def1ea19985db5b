import type { ProtoWriter } from './protobuf-writer.js';
import { AttributeType, type AttributeValue, type Dim, type TensorDataType } from './onnx-types.js';

/**
 * The onnx.proto messages both builders write (field numbers from onnx.proto): a node with its attributes, a
 * value's type and shape, and a tensor's header (everything but its data).
 */
export interface EncodableNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly name: string;
}

export interface EncodableValueInfo {
  readonly name: string;
  readonly dataType: TensorDataType;
  readonly shape: readonly Dim[];
}

export function writeNode(w: ProtoWriter, node: EncodableNode): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes)) w.message(5, (a) => writeAttribute(a, name, value));
}

export function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  switch (value.type) {
    case 'int':
      w.int(3, value.value).int(20, AttributeType.INT);
      break;
    case 'float':
      w.float(2, value.value).int(20, AttributeType.FLOAT);
      break;
    case 'string':
      w.string(4, value.value).int(20, AttributeType.STRING);
      break;
    case 'ints':
      for (const v of value.value) w.int(8, v);
      w.int(20, AttributeType.INTS);
      break;
    case 'floats':
      for (const v of value.value) w.float(7, v);
      w.int(20, AttributeType.FLOATS);
      break;
  }
}

/** A TensorProto's dims, data_type and name; its raw_data (field 9) follows. */
export function writeTensorHeader(w: ProtoWriter, name: string, dataType: TensorDataType, dims: readonly number[]): void {
  for (const d of dims) w.int(1, d);
  w.int(2, dataType);
  w.string(8, name);
}

export function writeValueInfo(w: ProtoWriter, v: EncodableValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.dataType);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}
