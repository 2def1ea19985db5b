import { ConvertError } from '../convert-error.js';
import { kindOf, PickleDict, TensorRef, type PickleValue } from './pickle-values.js';

/**
 * An official checkpoint is a dict with the state_dicts of `kp_detector` and `generator` (and usually the
 * discriminator's, the optimizers' and the epoch, which are left in the file). The same checks and sentences as
 * the Python converter's checkpoint.py.
 */
export const NETWORKS = ['kp_detector', 'generator'] as const;
export type NetworkName = (typeof NETWORKS)[number];

/** Weight name → tensor, in the file's order. */
export type StateDict = ReadonlyMap<string, TensorRef>;

export function fommStateDicts(root: PickleValue, path: string): Record<NetworkName, StateDict> {
  if (!(root instanceof PickleDict)) {
    throw new ConvertError(`${path} is a PyTorch file but not a First Order Motion Model checkpoint (it holds a ${kindOf(root)}, not a dict).`);
  }
  const dicts = new Map<NetworkName, StateDict>();
  for (const name of NETWORKS) {
    const state = asStateDict(root.entries.get(name));
    if (state !== null) dicts.set(name, withoutWrapperPrefix(state));
  }
  const absent = NETWORKS.filter((n) => !dicts.has(n));
  if (absent.length > 0) {
    const keys = [...root.entries.keys()].map((k) => String(k)).sort();
    const listed = keys.slice(0, 6).join(', ') || 'none';
    throw new ConvertError(`${path} is not a First Order Motion Model checkpoint: it has no ${absent.join(' or ')} weights (its top-level keys: ${listed}).`);
  }
  return { kp_detector: dicts.get('kp_detector')!, generator: dicts.get('generator')! };
}

/** A non-empty dict of names to tensors, or null. */
function asStateDict(value: PickleValue | undefined): Map<string, TensorRef> | null {
  if (!(value instanceof PickleDict) || value.entries.size === 0) return null;
  const out = new Map<string, TensorRef>();
  for (const [key, tensor] of value.entries) {
    if (typeof key !== 'string' || !(tensor instanceof TensorRef)) return null;
    out.set(key, tensor);
  }
  return out;
}

/** Weights saved from an nn.DataParallel wrapper carry "module." on every key. */
function withoutWrapperPrefix(state: Map<string, TensorRef>): Map<string, TensorRef> {
  const prefix = 'module.';
  if (![...state.keys()].every((k) => k.startsWith(prefix))) return state;
  return new Map([...state].map(([k, v]) => [k.slice(prefix.length), v]));
}
