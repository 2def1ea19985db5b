import { consumers, type OnnxGraph } from './onnx-graph.js';
import { TensorDataType } from './onnx-types.js';

/** Inputs (by position) that ONNX wants in float32 whatever the data's type: Resize's roi and scales. */
export const FLOAT32_ONLY_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2] };

/**
 * Rewrites a float32 graph, in place, to float16 throughout (the `--precision fp16` generator, for GPUs): float
 * inputs, outputs and initializers become float16 (an initializer is rounded when the file is written), and so
 * do Cast targets. The exceptions are the float32-only inputs above, which must be initializers used only there.
 * The same rewrite as the Python converter's fp16.py.
 */
export function convertToFloat16(graph: OnnxGraph): void {
  const keep = float32OnlyTensors(graph);
  for (const tensor of graph.initializers) {
    if (tensor.dataType === TensorDataType.FLOAT && !keep.has(tensor.name)) tensor.dataType = TensorDataType.FLOAT16;
  }
  for (const node of graph.nodes) {
    const to = node.attributes['to'];
    if (node.opType === 'Cast' && to?.type === 'int' && to.value === TensorDataType.FLOAT) {
      node.attributes = { ...node.attributes, to: { type: 'int', value: TensorDataType.FLOAT16 } };
    }
  }
  for (const value of [...graph.inputs, ...graph.outputs]) {
    if (value.dataType === TensorDataType.FLOAT) value.dataType = TensorDataType.FLOAT16;
  }
  for (const [name, type] of graph.types) {
    if (type === TensorDataType.FLOAT && !keep.has(name)) graph.types.set(name, TensorDataType.FLOAT16);
  }
}

/** Names that must stay float32; each must be an initializer read only in float32-only positions. */
function float32OnlyTensors(graph: OnnxGraph): Set<string> {
  const keep = new Set<string>();
  for (const node of graph.nodes) {
    for (const index of FLOAT32_ONLY_INPUTS[node.opType] ?? []) {
      const name = node.inputs[index];
      if (name !== undefined && name !== '') keep.add(name);
    }
  }
  const initializers = new Set(graph.initializers.map((t) => t.name));
  const readers = consumers(graph);
  for (const name of keep) {
    if (!initializers.has(name)) throw new Error(`${name} must be float32 but is computed in the graph`);
    const elsewhere = (readers.get(name) ?? []).find(({ node, index }) => !(FLOAT32_ONLY_INPUTS[node.opType] ?? []).includes(index));
    if (elsewhere !== undefined) throw new Error(`${name} feeds both float32-only and float16 inputs`);
  }
  return keep;
}
