import { PickleCallable, PickleDict, PickleTuple, StorageRef, StorageType, TensorRef, type PickleValue, type StorageDtype } from './pickle-values.js';

/**
 * The only Python names a weights file may mention, and what each builds: an OrderedDict, a tensor (a view into
 * a storage, whose bytes stay in the file), a storage type, a shape. Any other name is refused by the unpickler
 * before anything else happens, so a checkpoint cannot call a function (`posix.system`) or build an object.
 */
export class UnsafeGlobalError extends Error {
  override readonly name = 'UnsafeGlobalError';
  constructor(readonly globalName: string) {
    super(`the pickle refers to ${globalName}, which a weights file has no use for`);
  }
}

/** The pickle is not what a PyTorch weights file holds (an unknown opcode, a malformed tensor, …). */
export class PickleFormatError extends Error {
  override readonly name = 'PickleFormatError';
}

const STORAGE_TYPES: Readonly<Record<string, StorageDtype>> = {
  'torch.FloatStorage': 'float32',
  'torch.HalfStorage': 'float16',
  'torch.LongStorage': 'int64',
};

const CALLABLES: Readonly<Record<string, (args: readonly PickleValue[]) => PickleValue>> = {
  'collections.OrderedDict': (args) => {
    if (args.length !== 0) throw new PickleFormatError('OrderedDict is built with arguments');
    return new PickleDict();
  },
  'torch._utils._rebuild_tensor_v2': (args) => {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (args.length !== 6 && args.length !== 7) throw new PickleFormatError(`_rebuild_tensor_v2 takes 6 or 7 arguments, not ${args.length}`);
    return tensor(args);
  },
  'torch._utils._rebuild_tensor': (args) => {
    if (args.length !== 4) throw new PickleFormatError(`_rebuild_tensor takes 4 arguments, not ${args.length}`);
    return tensor(args);
  },
  'torch._utils._rebuild_parameter': (args) => {
    // (data, requires_grad, backward_hooks): a Parameter is its tensor here.
    const data = args[0];
    if (args.length !== 3 || !(data instanceof TensorRef)) throw new PickleFormatError('_rebuild_parameter takes a tensor, a flag and hooks');
    return data;
  },
  'torch.Size': (args) => {
    const dims = args[0];
    if (args.length !== 1 || !(dims instanceof PickleTuple)) throw new PickleFormatError('torch.Size takes one tuple');
    return dims;
  },
};

/** What GLOBAL module name pushes; UnsafeGlobalError for anything not on the list. */
export function resolveGlobal(module: string, name: string): PickleValue {
  const qualified = `${module}.${name}`;
  const dtype = STORAGE_TYPES[qualified];
  if (dtype !== undefined) return new StorageType(dtype);
  const apply = Object.hasOwn(CALLABLES, qualified) ? CALLABLES[qualified] : undefined;
  if (apply !== undefined) return new PickleCallable(qualified, apply);
  throw new UnsafeGlobalError(qualified);
}

function tensor(args: readonly PickleValue[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw new PickleFormatError('a tensor is rebuilt from something other than a storage');
  const shape = wholeNumbers(size, 'size');
  const strides = wholeNumbers(stride, 'stride');
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new PickleFormatError('a tensor has a bad storage offset');
  if (shape.length !== strides.length) throw new PickleFormatError('a tensor has as many strides as dimensions');
  const ref = new TensorRef(storage, offset, shape, strides);
  // The last element the view reads must lie inside its storage.
  const last = shape.some((d) => d === 0) ? -1 : offset + shape.reduce((sum, d, i) => sum + (d - 1) * strides[i]!, 0);
  if (!Number.isSafeInteger(ref.numel) || last >= storage.numel) {
    throw new PickleFormatError(`a tensor of shape [${shape.join(', ')}] reaches past the end of its storage of ${storage.numel} elements`);
  }
  return ref;
}

function wholeNumbers(value: PickleValue | undefined, what: string): number[] {
  if (!(value instanceof PickleTuple)) throw new PickleFormatError(`a tensor's ${what} is not a tuple`);
  return value.items.map((v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new PickleFormatError(`a tensor's ${what} holds ${String(v)}`);
    return v;
  });
}
