import type { EncodableNode, EncodableValueInfo } from './onnx-encoding.js';
import { TensorDataType } from './onnx-types.js';

/**
 * An ONNX graph as plain, editable data: what NetworkBuilder builds, what the precision passes rewrite and what
 * writeModelFile streams to disk. Weights are data sources, not bytes: a lazy one is computed when the file is
 * written and dropped right after, so a graph of hundreds of megabytes never sits in memory at once.
 */
export type TensorValues =
  /** Values held in memory (small constants, fixed transforms). */
  | { readonly kind: 'float32'; readonly values: Float32Array }
  /** Values computed when the file is written (weights read from a checkpoint, folded or transformed). */
  | { readonly kind: 'lazy-float32'; readonly produce: () => Promise<Float32Array> }
  | { readonly kind: 'int64'; readonly values: BigInt64Array };

export interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  /** How the file stores it: FLOAT or FLOAT16 for float values (a float16 one is rounded and clipped when written), INT64. */
  dataType: TensorDataType;
  readonly values: TensorValues;
}

export interface GraphNode extends EncodableNode {
  inputs: string[];
  outputs: string[];
  attributes: EncodableNode['attributes'];
}

export interface ValueInfo extends EncodableValueInfo {
  dataType: TensorDataType;
}

export interface OnnxGraph {
  readonly name: string;
  /** In topological order (every input made by an earlier node, an initializer or a graph input). */
  nodes: GraphNode[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** The element type of every tensor in the graph, by name (inputs, initializers and node outputs). */
  types: Map<string, TensorDataType>;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Bytes per element of the types an initializer can have. */
export function bytesPerElement(dataType: TensorDataType): number {
  switch (dataType) {
    case TensorDataType.FLOAT:
    case TensorDataType.INT32:
      return 4;
    case TensorDataType.FLOAT16:
      return 2;
    case TensorDataType.INT64:
      return 8;
    case TensorDataType.BOOL:
    case TensorDataType.UINT8:
      return 1;
  }
}

/** The nodes reading each tensor, by name, with the input position. */
export function consumers(graph: OnnxGraph): Map<string, Array<{ node: GraphNode; index: number }>> {
  const out = new Map<string, Array<{ node: GraphNode; index: number }>>();
  for (const node of graph.nodes) {
    node.inputs.forEach((name, index) => {
      if (name === '') return;
      const list = out.get(name) ?? [];
      list.push({ node, index });
      out.set(name, list);
    });
  }
  return out;
}
