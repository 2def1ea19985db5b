import { FLOAT32_ONLY_INPUTS } from './float16-pass.js';
import type { GraphNode, OnnxGraph } from './onnx-graph.js';
import { TensorDataType } from './onnx-types.js';

/**
 * Mixed precision, in place: the nodes whose names start with one of `halfPrefixes` compute in float16, every
 * other node keeps float32, and so do the graph's inputs and outputs (what PyTorch's autocast does on a GPU,
 * written into the graph; the same rewrite as the Python converter's mixed_precision.py). Where the two meet, one
 * Cast per tensor and direction is added, shared by its readers. An initializer takes its readers' precision; one
 * read by both gets a float16 copy. Float32-only inputs (Resize's roi and scales) stay float32, and a Cast to
 * float inside a float16 region casts to float16. A prefix that matches no node is an error: a renamed scope
 * must not silently leave the graph in float32.
 */
export function convertToMixedPrecision(graph: OnnxGraph, halfPrefixes: readonly string[]): void {
  const unmatched = halfPrefixes.find((p) => !graph.nodes.some((n) => n.name.startsWith(p)));
  if (unmatched !== undefined) throw new Error(`no node is named ${unmatched}…: the graph's names are not what the rewrite expects`);
  const isFloat = (name: string) => graph.types.get(name) === TensorDataType.FLOAT;
  const half = new Set(graph.nodes.filter((n) => halfPrefixes.some((p) => n.name.startsWith(p))));
  const wantsHalf = (node: GraphNode, index: number) => half.has(node) && !(FLOAT32_ONLY_INPUTS[node.opType] ?? []).includes(index);

  const wanted = new Map<string, Set<boolean>>();
  const want = (name: string, value: boolean) => wanted.set(name, (wanted.get(name) ?? new Set()).add(value));
  for (const node of graph.nodes) node.inputs.forEach((name, index) => isFloat(name) && want(name, wantsHalf(node, index)));
  for (const output of graph.outputs) want(output.name, false);

  // The precision each float tensor is made in: inputs float32, node outputs their node's, initializers float16
  // when every reader wants float16.
  const madeHalf = new Map<string, boolean>(graph.inputs.map((i) => [i.name, false]));
  for (const node of graph.nodes) for (const name of node.outputs) if (isFloat(name)) madeHalf.set(name, half.has(node));
  for (const tensor of graph.initializers) {
    if (tensor.dataType !== TensorDataType.FLOAT) continue;
    const readers = wanted.get(tensor.name);
    const halfOnly = readers !== undefined && readers.size === 1 && readers.has(true);
    madeHalf.set(tensor.name, halfOnly);
    if (halfOnly) tensor.dataType = TensorDataType.FLOAT16;
  }
  for (const node of half) {
    const to = node.attributes['to'];
    if (node.opType === 'Cast' && to?.type === 'int' && to.value === TensorDataType.FLOAT) {
      node.attributes = { ...node.attributes, to: { type: 'int', value: TensorDataType.FLOAT16 } };
    }
  }
  insertCasts(graph, madeHalf, wantsHalf);
  for (const [name, isHalf] of madeHalf) if (isHalf) graph.types.set(name, TensorDataType.FLOAT16);
}

/** Rewires every float input to a copy in the precision its reader wants, adding the copies (Casts, float16 initializers). */
function insertCasts(graph: OnnxGraph, madeHalf: Map<string, boolean>, wantsHalf: (node: GraphNode, index: number) => boolean): void {
  const copies = new Map<string, string>();
  const added: GraphNode[] = [];
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const inPrecision = (name: string, toHalf: boolean): string => {
    if (madeHalf.get(name) === toHalf) return name;
    const key = `${name}|${toHalf}`;
    const known = copies.get(key);
    if (known !== undefined) return known;
    const target = `${name}__${toHalf ? 'fp16' : 'fp32'}`;
    const constant = initializers.get(name);
    if (toHalf && constant !== undefined) {
      graph.initializers.push({ ...constant, name: target, dataType: TensorDataType.FLOAT16 });
    } else {
      const to = toHalf ? TensorDataType.FLOAT16 : TensorDataType.FLOAT;
      added.push({ opType: 'Cast', inputs: [name], outputs: [target], attributes: { to: { type: 'int', value: to } }, name: target });
    }
    graph.types.set(target, toHalf ? TensorDataType.FLOAT16 : TensorDataType.FLOAT);
    copies.set(key, target);
    return target;
  };
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((name, index) => (madeHalf.has(name) ? inPrecision(name, wantsHalf(node, index)) : name));
  }
  for (const output of graph.outputs) {
    if (madeHalf.get(output.name) !== true) continue;
    // A float16 result is renamed inside the graph and cast back to float32 under its own name.
    const inner = `${output.name}__fp16`;
    for (const node of [...graph.nodes, ...added]) {
      node.outputs = node.outputs.map((o) => (o === output.name ? inner : o));
      node.inputs = node.inputs.map((i) => (i === output.name ? inner : i));
    }
    madeHalf.set(inner, true);
    madeHalf.set(output.name, false);
    added.push({
      opType: 'Cast',
      inputs: [inner],
      outputs: [output.name],
      attributes: { to: { type: 'int', value: TensorDataType.FLOAT } },
      name: `${output.name}__fp32`,
    });
  }
  graph.nodes = insertInOrder(graph.nodes, added);
}

/** Puts each added node right after the node making its input (first when that is a graph input or initializer). */
function insertInOrder(nodes: readonly GraphNode[], added: readonly GraphNode[]): GraphNode[] {
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const after = new Map<string, GraphNode[]>();
  const first: GraphNode[] = [];
  for (const node of added) {
    const source = node.inputs[0] ?? '';
    if (produced.has(source)) after.set(source, [...(after.get(source) ?? []), node]);
    else first.push(node);
  }
  const out = [...first];
  for (const node of nodes) {
    out.push(node);
    for (const name of node.outputs) {
      out.push(...(after.get(name) ?? []));
      after.delete(name);
    }
  }
  return out;
}
