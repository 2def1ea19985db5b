/**
 * The restricted unpickler (src/convert/checkpoint/pickle-machine.ts) on hand-made pickles: what a state dict
 * needs is read, anything that could run code or build objects is refused by name, and a stated length is
 * checked against the bytes left before anything is allocated.
 */
import { describe, expect, it } from 'vitest';
import { BufferSource, TruncatedError } from '../../src/convert/checkpoint/byte-source.js';
import { PickleFormatError, UnsafeGlobalError } from '../../src/convert/checkpoint/pickle-globals.js';
import { unpickle, type PersistentLoad } from '../../src/convert/checkpoint/pickle-machine.js';
import {
  PickleDict,
  type PickleList,
  type PickleTuple,
  StorageRef,
  StorageType,
  TensorRef,
  type PickleValue,
} from '../../src/convert/checkpoint/pickle-values.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { runPython, NO_PYTHON, PYTHON_READY } from './helpers.js';

/** Opcode bytes and operands, assembled. */
function pickle(...parts: Array<number | string | Uint8Array | number[]>): Uint8Array {
  const bytes: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') bytes.push(part);
    else if (typeof part === 'string') bytes.push(...new TextEncoder().encode(part));
    else bytes.push(...part);
  }
  return Uint8Array.from(bytes);
}

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u64 = (n: bigint) => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const unicode = (s: string) => [0x58, ...u32(new TextEncoder().encode(s).length), ...new TextEncoder().encode(s)];
const global = (module: string, name: string) => [0x63, ...new TextEncoder().encode(`${module}\n${name}\n`)];
const noStorages: PersistentLoad = () => {
  throw new Error('no storages here');
};
const read = (bytes: Uint8Array, load: PersistentLoad = noStorages): PickleValue => unpickle(new BufferSource(bytes), load);

describe('GIVEN a pickle of plain data', () => {
  it('THEN numbers, strings, tuples, lists and dicts come back, memo included', () => {
    const value = read(
      pickle(
        [0x80, 2, 0x7d, 0x71, 0], // PROTO 2, EMPTY_DICT, BINPUT 0
        0x28, // MARK
        unicode('epoch'),
        [0x4a, ...u32(99)], // BININT 99
        unicode('betas'),
        [0x47, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 0x47, 0x3f, 0xef, 0xf7, 0xce, 0xd9, 0x16, 0x87, 0x2b, 0x86], // BINFLOAT 0.5, 0.999, TUPLE2
        unicode('list'),
        [0x5d, 0x28, 0x4b, 7, 0x8a, 1, 0xff, 0x88, 0x4e, 0x65], // EMPTY_LIST, MARK, BININT1 7, LONG1 -1, NEWTRUE, NONE, APPENDS
        unicode('self'),
        [0x68, 0], // BINGET 0: the dict itself
        0x75, // SETITEMS
        0x2e, // STOP
      ),
    ) as PickleDict;
    expect(value).toBeInstanceOf(PickleDict);
    expect(value.entries.get('epoch')).toBe(99);
    expect((value.entries.get('betas') as PickleTuple).items).toEqual([0.5, 0.999]);
    expect((value.entries.get('list') as PickleList).items).toEqual([7, -1, true, null]);
    expect(value.entries.get('self')).toBe(value);
  });

  it('THEN an OrderedDict built by REDUCE takes its items and its state is set aside', () => {
    const value = read(
      pickle([0x80, 2], global('collections', 'OrderedDict'), [0x29, 0x52], 0x28, unicode('a'), [0x4b, 1], 0x75, [0x7d, 0x62, 0x2e]), // … BUILD {}
    ) as PickleDict;
    expect([...value.entries]).toEqual([['a', 1]]);
  });

  it('THEN a tensor is a view into the storage its persistent id names, and its bytes stay in the file', () => {
    const storage = new StorageRef('0', 'float32', 12);
    const asked: PickleValue[] = [];
    const load: PersistentLoad = (pid) => {
      asked.push(pid);
      return storage;
    };
    const value = read(
      pickle(
        [0x80, 2],
        global('torch._utils', '_rebuild_tensor_v2'),
        0x28, // MARK: the arguments
        0x28, // MARK: the persistent id
        unicode('storage'),
        global('torch', 'FloatStorage'),
        unicode('0'),
        unicode('cpu'),
        [0x4b, 12, 0x74, 0x51], // BININT1 12, TUPLE, BINPERSID
        [0x4b, 0], // offset 0
        [0x4b, 3, 0x4b, 4, 0x86], // size (3, 4)
        [0x4b, 4, 0x4b, 1, 0x86], // stride (4, 1)
        0x89, // requires_grad False
        global('collections', 'OrderedDict'),
        [0x29, 0x52, 0x74, 0x52, 0x2e], // OrderedDict(), TUPLE, REDUCE, STOP
      ),
      load,
    ) as TensorRef;
    expect(value).toBeInstanceOf(TensorRef);
    expect(value.shape).toEqual([3, 4]);
    expect(value.stride).toEqual([4, 1]);
    expect(value.storage).toBe(storage);
    expect((asked[0] as PickleTuple).items[1]).toEqual(new StorageType('float32'));
  });
});

describe('GIVEN a pickle that asks for more than data', () => {
  it.each([
    ['os.system', global('posix', 'system'), 'posix.system'],
    ['a class of its own', global('__main__', 'Payload'), '__main__.Payload'],
    ['builtins.eval by STACK_GLOBAL', [...unicode('builtins'), ...unicode('eval'), 0x93], 'builtins.eval'],
    ['a subclass of an allowed name', global('collections', 'OrderedDict.__init__'), 'collections.OrderedDict.__init__'],
  ])('%s THEN it is refused by name before anything is called', (_label, opcodes, name) => {
    const bytes = pickle([0x80, 2], opcodes as number[], unicode('echo pwned'), [0x85, 0x52, 0x2e]);
    expect(() => read(bytes)).toThrow(new UnsafeGlobalError(name));
  });

  it.each([
    ['NEWOBJ', [0x80, 2, 0x81]],
    ['INST', [0x69, ...new TextEncoder().encode('os\nsystem\n')]],
    ['OBJ', [0x28, 0x6f]],
    ['EXT1', [0x82, 1]],
    ['the text opcode PUT', [0x4e, 0x70, 0x30, 0x0a]],
    ['an unknown opcode', [0xff]],
  ])('%s THEN it is refused as not a weights file', (_label, bytes) => {
    expect(() => read(Uint8Array.from(bytes))).toThrow(PickleFormatError);
  });

  it('a call of something that is not an allowed function THEN refused', () => {
    const bytes = pickle([0x80, 2], global('torch', 'FloatStorage'), [0x29, 0x52, 0x2e]);
    expect(() => read(bytes)).toThrow(/calls a storage type/);
  });

  it('a tensor reaching past its storage THEN refused', () => {
    const load: PersistentLoad = () => new StorageRef('0', 'float32', 4);
    const bytes = pickle(
      [0x80, 2],
      global('torch._utils', '_rebuild_tensor_v2'),
      0x28,
      [0x4e, 0x51], // any persistent id
      [0x4b, 0, 0x4b, 5, 0x85, 0x4b, 1, 0x85, 0x89, 0x7d, 0x74, 0x52, 0x2e], // size (5,) in a storage of 4
    );
    expect(() => read(bytes, load)).toThrow(/reaches past the end of its storage of 4 elements/);
  });
});

describe('GIVEN a pickle stating a length larger than itself', () => {
  it.each([
    ['BINUNICODE8 of 2^60 bytes', [0x8d, ...u64(1n << 60n)]],
    ['BINBYTES8 of 2^62 bytes', [0x8e, ...u64(1n << 62n)]],
    ['BINUNICODE of 4 GB', [0x58, ...u32(0xffffffff)]],
    ['a FRAME of 2^63 bytes', [0x95, ...u64(1n << 63n)]],
  ])('%s THEN it is refused as truncated, nothing allocated', (_label, bytes) => {
    expect(() => read(Uint8Array.from([0x80, 4, ...bytes]))).toThrow(TruncatedError);
  });

  it('an integer of 10,000 bytes THEN refused', () => {
    expect(() => read(Uint8Array.from([0x80, 2, 0x8b, ...u32(10_000), ...new Uint8Array(10_000)]))).toThrow(/an integer of 10000 bytes/);
  });

  it('a pickle without STOP THEN refused as truncated', () => {
    expect(() => read(Uint8Array.from([0x80, 2, 0x7d]))).toThrow(TruncatedError);
  });

  it('a memo entry never stored, or an empty stack THEN refused', () => {
    expect(() => read(Uint8Array.from([0x80, 2, 0x68, 5, 0x2e]))).toThrow(/memo entry 5/);
    expect(() => read(Uint8Array.from([0x80, 2, 0x30, 0x2e]))).toThrow(/empty stack/);
    expect(() => read(Uint8Array.from([0x80, 2, 0x4e, 0x28, 0x30, 0x2e]))).toThrow(/empty stack/);
  });
});

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

describe.skipIf(noPython)("GIVEN Python's own pickles of plain data, protocols 2 to 5", () => {
  it('THEN each reads back as Python wrote it', async () => {
    const script = [
      'import pickle, collections, sys',
      'value = {"epoch": 7, "lr": 2e-4, "big": 2**70, "neg": -3, "name": "vox ✓",',
      '         "groups": [{"betas": (0.5, 0.999), "params": list(range(3))}], "od": collections.OrderedDict(a=1)}',
      'sys.stdout.write(",".join(pickle.dumps(value, protocol=p).hex() for p in (2, 3, 4, 5)))',
    ].join('\n');
    const result = await runPython(['-c', script]);
    expect(result.code, result.stderr).toBe(0);
    for (const hex of result.stdout.trim().split(',')) {
      const value = read(Uint8Array.from(Buffer.from(hex, 'hex'))) as PickleDict;
      expect(value.entries.get('epoch')).toBe(7);
      expect(value.entries.get('lr')).toBe(2e-4);
      expect(value.entries.get('big')).toBe(2n ** 70n);
      expect(value.entries.get('neg')).toBe(-3);
      expect(value.entries.get('name')).toBe('vox ✓');
      const group = (value.entries.get('groups') as PickleList).items[0] as PickleDict;
      expect((group.entries.get('betas') as PickleTuple).items).toEqual([0.5, 0.999]);
      expect((group.entries.get('params') as PickleList).items).toEqual([0, 1, 2]);
      expect([...(value.entries.get('od') as PickleDict).entries]).toEqual([['a', 1]]);
    }
  });
});
