import type { GraphNode, OnnxGraph } from './onnx-graph.js';
import { TensorDataType, type AttributeValue, type Dim } from './onnx-types.js';

/** A tensor of the graph being built, by name. */
export type Tensor = string & { readonly __tensor: unique symbol };

type Attributes = Readonly<Record<string, AttributeValue>>;

/** Constants of at most this many elements with equal contents share one initializer. */
const SHARED_CONSTANT_LIMIT = 64;

/**
 * Builds an OnnxGraph for a network, naming nodes after the module they belong to, as PyTorch's exporter does
 * (`/up_blocks.0/Conv_1`): `within('up_blocks.0', …)` opens a scope. The names make the graph readable and let
 * a rewrite select a region by prefix (the mixed-precision pass). Every tensor's element type is tracked.
 */
export class NetworkBuilder {
  readonly graph: OnnxGraph;
  private readonly scopes: string[] = [];
  private readonly counts = new Map<string, number>();
  private readonly constants = new Map<string, Tensor>();
  private constantCount = 0;

  constructor(name: string) {
    this.graph = { name, nodes: [], initializers: [], inputs: [], outputs: [], types: new Map() };
  }

  /** Builds inside the named scope (nested scopes join with "/"). */
  within<T>(scope: string, build: () => T): T {
    this.scopes.push(scope);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  input(name: string, shape: readonly Dim[], dataType: TensorDataType = TensorDataType.FLOAT): Tensor {
    this.graph.inputs.push({ name, dataType, shape });
    this.graph.types.set(name, dataType);
    return name as Tensor;
  }

  /** Declares `value` a graph output named `name`: the node that makes it is renamed (an input is copied by Identity). */
  output(value: Tensor, name: string, shape: readonly Dim[]): void {
    const dataType = this.typeOf(value);
    const producer = this.graph.nodes.find((n) => n.outputs.includes(value));
    if (producer === undefined || this.graph.outputs.some((o) => o.name === value)) {
      this.node('Identity', [value], [name], {}, 'Identity');
    } else if (value !== name) {
      producer.outputs = producer.outputs.map((o) => (o === value ? name : o));
      for (const node of this.graph.nodes) node.inputs = node.inputs.map((i) => (i === value ? name : i));
      this.graph.types.delete(value);
    }
    this.graph.types.set(name, dataType);
    this.graph.outputs.push({ name, dataType, shape });
  }

  /** A float32 constant; small ones with the same contents are shared. */
  floats(values: readonly number[] | Float32Array, dims: readonly number[]): Tensor {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    checkCount(data.length, dims);
    return this.constant(`f${dims.join('x')}:${data.length <= SHARED_CONSTANT_LIMIT ? data.join(',') : ''}`, data.length, () => {
      const name = this.constantName();
      this.addInitializer(name, dims, TensorDataType.FLOAT, { kind: 'float32', values: data });
      return name;
    });
  }

  scalar(value: number): Tensor {
    return this.floats([value], []);
  }

  /** An int64 constant (shapes, axes, pads); equal ones are shared. */
  int64s(values: readonly number[], dims: readonly number[] = [values.length]): Tensor {
    checkCount(values.length, dims);
    return this.constant(`i${dims.join('x')}:${values.join(',')}`, values.length, () => {
      const name = this.constantName();
      this.addInitializer(name, dims, TensorDataType.INT64, { kind: 'int64', values: BigInt64Array.from(values.map((v) => BigInt(v))) });
      return name;
    });
  }

  /** A float32 weight computed when the model is written (read from a checkpoint, folded, transformed). */
  weight(name: string, dims: readonly number[], produce: () => Promise<Float32Array>): Tensor {
    if (this.graph.types.has(name)) throw new Error(`the graph already has a tensor named ${name}`);
    this.addInitializer(name, dims, TensorDataType.FLOAT, { kind: 'lazy-float32', produce });
    return name as Tensor;
  }

  /** A float32 constant under a fixed name, made once however often it is asked for (transforms several layers share). */
  shared(name: string, dims: readonly number[], make: () => Float32Array): Tensor {
    if (!this.graph.types.has(name)) {
      const values = make();
      checkCount(values.length, dims);
      this.addInitializer(name, dims, TensorDataType.FLOAT, { kind: 'float32', values });
    }
    return name as Tensor;
  }

  op(opType: string, inputs: readonly Tensor[], attributes: Attributes = {}): Tensor {
    const [out] = this.opN(opType, inputs, 1, attributes);
    return out!;
  }

  /** A node with `count` outputs; an empty string in `inputs` is an omitted optional input. */
  opN(opType: string, inputs: readonly Tensor[], count: number, attributes: Attributes = {}): Tensor[] {
    const name = this.nodeName(opType);
    const outputs = Array.from({ length: count }, (_, i) => `${name}_output_${i}`);
    this.node(opType, inputs, outputs, attributes, name);
    return outputs as Tensor[];
  }

  typeOf(value: Tensor): TensorDataType {
    const type = this.graph.types.get(value);
    if (type === undefined) throw new Error(`no tensor named ${value} in the graph`);
    return type;
  }

  private node(opType: string, inputs: readonly string[], outputs: string[], attributes: Attributes, name: string): void {
    const type = outputType(opType, inputs, attributes, (i) => this.typeOf(i as Tensor));
    const node: GraphNode = { opType, inputs: [...inputs], outputs, attributes, name };
    this.graph.nodes.push(node);
    for (const o of outputs) this.graph.types.set(o, type);
  }

  private nodeName(opType: string): string {
    const scope = this.scopes.length === 0 ? '' : `/${this.scopes.join('/')}`;
    const key = `${scope}/${opType}`;
    const count = this.counts.get(key) ?? 0;
    this.counts.set(key, count + 1);
    return count === 0 ? key : `${key}_${count}`;
  }

  private constant(key: string, length: number, make: () => string): Tensor {
    const shareable = length <= SHARED_CONSTANT_LIMIT;
    const known = shareable ? this.constants.get(key) : undefined;
    if (known !== undefined) return known;
    const name = make() as Tensor;
    if (shareable) this.constants.set(key, name);
    return name;
  }

  private constantName(): string {
    this.constantCount += 1;
    return `const_${this.constantCount}`;
  }

  private addInitializer(name: string, dims: readonly number[], dataType: TensorDataType, values: OnnxGraph['initializers'][number]['values']): void {
    this.graph.initializers.push({ name, dims: [...dims], dataType, values });
    this.graph.types.set(name, dataType);
  }
}

/** The element type of a node's outputs: what the ops these networks use give. */
function outputType(opType: string, inputs: readonly string[], attributes: Attributes, typeOf: (name: string) => TensorDataType): TensorDataType {
  switch (opType) {
    case 'Shape':
      return TensorDataType.INT64;
    case 'Cast': {
      const to = attributes['to'];
      if (to?.type !== 'int') throw new Error('Cast needs an int "to" attribute');
      return to.value as TensorDataType;
    }
    case 'Equal':
    case 'Less':
    case 'Greater':
      return TensorDataType.BOOL;
    case 'Where':
      return typeOf(inputs[1]!);
    default:
      return typeOf(inputs[0]!);
  }
}

function checkCount(length: number, dims: readonly number[]): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== length) throw new Error(`a constant of ${length} values cannot have dims [${dims.join(', ')}]`);
}
