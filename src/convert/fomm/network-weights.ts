import { ConvertError } from '../convert-error.js';
import type { TensorRef } from '../checkpoint/pickle-values.js';
import type { StateDict } from '../checkpoint/state-dicts.js';
import type { BatchNorm } from './folding.js';
import type { WeightSpec } from './state-dict-layout.js';

/** Reads a tensor's values from wherever it lives (the checkpoint file). */
export type TensorReader = (tensor: TensorRef) => Promise<Float32Array>;

/**
 * One network's weights from a checkpoint, checked against what the config needs (every name and shape, as
 * PyTorch's load_state_dict(strict=True) checks), and read only when a graph's initializer is written.
 */
export class NetworkWeights {
  private constructor(
    private readonly state: StateDict,
    private readonly read: TensorReader,
  ) {}

  /** The weights, once every name and shape fits `layout`; a ConvertError naming the first difference otherwise. */
  static checked(network: string, configLabel: string, layout: readonly WeightSpec[], state: StateDict, read: TensorReader): NetworkWeights {
    const problem = describeMismatch(layout, state);
    if (problem !== '') {
      throw new ConvertError(
        `The checkpoint's ${network} weights do not fit the "${configLabel}" config (${problem}); pass the config the checkpoint was trained with.`,
      );
    }
    return new NetworkWeights(state, read);
  }

  /** How many numbers the network's weights hold (batch counters aside). */
  get parameterCount(): number {
    let n = 0;
    for (const [name, tensor] of this.state) if (!name.endsWith('num_batches_tracked')) n += tensor.numel;
    return n;
  }

  async values(name: string): Promise<Float32Array> {
    const tensor = this.state.get(name);
    if (tensor === undefined) throw new Error(`no weight ${name}`);
    return this.read(tensor);
  }

  async batchNorm(prefix: string): Promise<BatchNorm> {
    const [weight, bias, mean, variance] = await Promise.all(['weight', 'bias', 'running_mean', 'running_var'].map((p) => this.values(`${prefix}.${p}`)));
    return { weight: weight!, bias: bias!, mean: mean!, variance: variance! };
  }
}

/** '' when every name and shape matches; else an account of what differs, first of each kind named (checkpoint.py's wording). */
export function describeMismatch(layout: readonly WeightSpec[], state: StateDict): string {
  const expected = new Map(layout.map((w) => [w.name, w]));
  const missing = layout.filter((w) => !state.has(w.name) && w.optional !== true).map((w) => w.name);
  const unexpected = [...state.keys()].filter((k) => !expected.has(k));
  const reshaped = layout.filter((w) => {
    const got = state.get(w.name);
    return got !== undefined && got.shape.join() !== w.shape.join();
  });
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} weights missing, such as ${missing[0]}`);
  if (unexpected.length > 0) parts.push(`${unexpected.length} weights the config has no place for, such as ${unexpected[0]}`);
  if (reshaped.length > 0) {
    const first = reshaped[0]!;
    const got = state.get(first.name)!.shape;
    parts.push(`${reshaped.length} weights of another shape, such as ${first.name} [${got.join(', ')}] where the config needs [${first.shape.join(', ')}]`);
  }
  return parts.join('; ');
}
