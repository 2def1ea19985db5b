/**
 * What the restricted unpickler builds: plain data, and references to tensors whose bytes stay in the file.
 * Nothing here can run code; the unpickler refuses any pickle that asks for more.
 */
export type StorageDtype = 'float32' | 'float16' | 'int64';

export const ELEMENT_BYTES: Readonly<Record<StorageDtype, number>> = { float32: 4, float16: 2, int64: 8 };

/** A storage type named by the pickle (torch.FloatStorage, …): only usable inside a storage's persistent id. */
export class StorageType {
  constructor(readonly dtype: StorageDtype) {}
}

/** A tensor storage: `numel` elements of `dtype`, found in the file by `key` (where depends on the format). */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: StorageDtype,
    readonly numel: number,
    /** Elements before this storage's first within the storage `key` names (old PyTorch's storage views). */
    readonly offset: number = 0,
  ) {}
}

/** torch._utils._rebuild_tensor_v2's arguments: a view of `shape` and `stride` into a storage, from `offset`. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

export class PickleList {
  readonly items: PickleValue[] = [];
}

/** A dict or an OrderedDict (keys are primitives or tuples, compared by identity for tuples). */
export class PickleDict {
  readonly entries = new Map<PickleValue, PickleValue>();
}

/** An allowed callable the pickle named, waiting for REDUCE. */
export class PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly apply: (args: readonly PickleValue[]) => PickleValue,
  ) {}
}

export type PickleValue =
  null | boolean | number | bigint | string | Uint8Array | PickleTuple | PickleList | PickleDict | StorageType | StorageRef | TensorRef | PickleCallable;

/** A name for a value's kind, as Python would call it, for messages. */
export function kindOf(value: PickleValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'str';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PickleTuple) return 'tuple';
  if (value instanceof PickleList) return 'list';
  if (value instanceof PickleDict) return 'dict';
  if (value instanceof TensorRef) return 'Tensor';
  if (value instanceof StorageRef) return 'storage';
  if (value instanceof StorageType) return 'type';
  return 'function';
}
