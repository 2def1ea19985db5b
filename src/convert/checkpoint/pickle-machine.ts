import { TruncatedError, type ByteSource } from './byte-source.js';
import { PickleFormatError, resolveGlobal } from './pickle-globals.js';
import { PickleCallable, PickleDict, PickleList, PickleTuple, StorageRef, StorageType, TensorRef, type PickleValue } from './pickle-values.js';

/**
 * A restricted pickle reader: the opcodes of protocols 2–5 that plain data needs (numbers, strings, bytes, tuples,
 * lists, dicts, the memo), GLOBAL and REDUCE for the allow-listed names of pickle-globals.ts, BUILD on an
 * OrderedDict (its state is ignored) and BINPERSID, handed to the format's `persistentLoad` (a tensor storage).
 * Everything else — building objects (NEWOBJ, INST, OBJ), extension codes, out-of-band buffers, the text opcodes
 * of protocol 0 — is refused by name. Lengths are checked against the bytes left before any allocation, so the
 * memory used is bounded by the pickle's size; nothing recurses.
 */
export type PersistentLoad = (pid: PickleValue) => PickleValue;

/** Opcodes by byte, for the ones handled and for naming the ones refused. */
const NAMES: Readonly<Record<number, string>> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT', 0x4b: 'BININT1',
  0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT',
  0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT',
  0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT', 0x80: 'PROTO',
  0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE',
  0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
}; // prettier-ignore

/** Integers of more bytes than this are no part of a weights file (Python's are unbounded). */
const MAX_LONG_BYTES = 64;
const MAX_GLOBAL_NAME = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export function unpickle(source: ByteSource, persistentLoad: PersistentLoad): PickleValue {
  return new PickleMachine(source, persistentLoad).run();
}

class PickleMachine {
  private stack: PickleValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();

  constructor(
    private readonly source: ByteSource,
    private readonly persistentLoad: PersistentLoad,
  ) {}

  run(): PickleValue {
    for (;;) {
      const opcode = this.u8();
      if (opcode === 0x2e) return this.pop(); // STOP
      if (!this.data(opcode) && !this.structure(opcode) && !this.control(opcode)) {
        const name = NAMES[opcode];
        throw new PickleFormatError(
          name === undefined ? `unknown pickle opcode 0x${opcode.toString(16)}` : `the pickle opcode ${name}, which weights files do not use`,
        );
      }
    }
  }

  /** Opcodes that push one value read from the stream. */
  private data(opcode: number): boolean {
    const push = (v: PickleValue) => (this.stack.push(v), true);
    switch (opcode) {
      case 0x4e: return push(null); // NONE
      case 0x88: return push(true); // NEWTRUE
      case 0x89: return push(false); // NEWFALSE
      case 0x4a: return push(this.view(4).getInt32(0, true)); // BININT
      case 0x4b: return push(this.u8()); // BININT1
      case 0x4d: return push(this.view(2).getUint16(0, true)); // BININT2
      case 0x8a: return push(this.long(this.u8())); // LONG1
      case 0x8b: return push(this.long(this.view(4).getInt32(0, true))); // LONG4
      case 0x47: return push(this.view(8).getFloat64(0, false)); // BINFLOAT
      case 0x58: return push(this.text(this.view(4).getUint32(0, true))); // BINUNICODE
      case 0x8c: return push(this.text(this.u8())); // SHORT_BINUNICODE
      case 0x8d: return push(this.text(this.length8())); // BINUNICODE8
      case 0x42: return push(this.bytes(this.view(4).getUint32(0, true))); // BINBYTES
      case 0x43: return push(this.bytes(this.u8())); // SHORT_BINBYTES
      case 0x8e: case 0x96: return push(this.bytes(this.length8())); // BINBYTES8, BYTEARRAY8
      case 0x54: return push(latin1.decode(this.bytes(this.view(4).getInt32(0, true)))); // BINSTRING
      case 0x55: return push(latin1.decode(this.bytes(this.u8()))); // SHORT_BINSTRING
      default: return false;
    }
  } // prettier-ignore

  /** Opcodes that build tuples, lists and dicts, and the memo. */
  private structure(opcode: number): boolean {
    switch (opcode) {
      case 0x29: this.stack.push(new PickleTuple([])); return true; // EMPTY_TUPLE
      case 0x85: case 0x86: case 0x87: this.stack.push(new PickleTuple(this.popN(opcode - 0x84))); return true; // TUPLE1-3
      case 0x74: this.stack.push(new PickleTuple(this.popMark())); return true; // TUPLE
      case 0x5d: this.stack.push(new PickleList()); return true; // EMPTY_LIST
      case 0x6c: { const list = new PickleList(); list.items.push(...this.popMark()); this.stack.push(list); return true; } // LIST
      case 0x61: this.append(this.popN(1)); return true; // APPEND
      case 0x65: this.append(this.popMark()); return true; // APPENDS
      case 0x7d: this.stack.push(new PickleDict()); return true; // EMPTY_DICT
      case 0x64: { const dict = new PickleDict(); this.setItems(this.popMark(), dict); this.stack.push(dict); return true; } // DICT
      case 0x73: this.setItems(this.popN(2)); return true; // SETITEM
      case 0x75: this.setItems(this.popMark()); return true; // SETITEMS
      case 0x68: this.get(this.u8()); return true; // BINGET
      case 0x6a: this.get(this.view(4).getUint32(0, true)); return true; // LONG_BINGET
      case 0x71: this.memo.set(this.u8(), this.top()); return true; // BINPUT
      case 0x72: this.memo.set(this.view(4).getUint32(0, true), this.top()); return true; // LONG_BINPUT
      case 0x94: this.memo.set(this.memo.size, this.top()); return true; // MEMOIZE
      default: return false;
    }
  } // prettier-ignore

  /** The protocol, framing, stack, globals, REDUCE, BUILD and persistent ids. */
  private control(opcode: number): boolean {
    switch (opcode) {
      case 0x80: if (this.u8() > 5) throw new PickleFormatError('a pickle protocol above 5'); return true; // PROTO
      case 0x95: this.length8(); return true; // FRAME: its length only groups the opcodes that follow
      case 0x28: this.marks.push(this.stack.length); return true; // MARK
      case 0x30: this.pop(); return true; // POP
      case 0x31: this.popMark(); return true; // POP_MARK
      case 0x32: this.stack.push(this.top()); return true; // DUP
      case 0x63: this.stack.push(resolveGlobal(this.line(), this.line())); return true; // GLOBAL
      case 0x93: { const [module, name] = this.popN(2); this.stack.push(resolveGlobal(asName(module), asName(name))); return true; } // STACK_GLOBAL
      case 0x52: this.reduce(); return true; // REDUCE
      case 0x62: this.build(); return true; // BUILD
      case 0x51: this.stack.push(this.persistentLoad(this.pop())); return true; // BINPERSID
      default: return false;
    }
  } // prettier-ignore

  private reduce(): void {
    const [callable, args] = this.popN(2);
    if (!(callable instanceof PickleCallable)) throw new PickleFormatError(`the pickle calls a ${describe(callable)}`);
    if (!(args instanceof PickleTuple)) throw new PickleFormatError(`${callable.qualifiedName} is called without an argument tuple`);
    this.stack.push(callable.apply(args.items));
  }

  /** BUILD sets an object's state: only an OrderedDict's (its attributes, such as a state_dict's _metadata), ignored. */
  private build(): void {
    const state = this.pop();
    if (!(this.top() instanceof PickleDict)) throw new PickleFormatError(`the pickle sets the state of a ${describe(this.top())}`);
    if (!(state instanceof PickleDict) && !(state instanceof PickleTuple) && state !== null) throw new PickleFormatError('an OrderedDict with odd state');
  }

  private append(items: readonly PickleValue[]): void {
    const list = this.top();
    if (!(list instanceof PickleList)) throw new PickleFormatError(`the pickle appends to a ${describe(list)}`);
    list.items.push(...items);
  }

  private setItems(items: readonly PickleValue[], dict: PickleValue = this.top()): void {
    if (!(dict instanceof PickleDict)) throw new PickleFormatError(`the pickle sets items of a ${describe(dict)}`);
    if (items.length % 2 !== 0) throw new PickleFormatError('a dict with a key and no value');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i]!;
      if (key !== null && typeof key === 'object' && !(key instanceof PickleTuple)) throw new PickleFormatError(`a dict key is a ${describe(key)}`);
      dict.entries.set(key, items[i + 1]!);
    }
  }

  private get(index: number): void {
    if (!this.memo.has(index)) throw new PickleFormatError(`the pickle reads memo entry ${index}, which it never stored`);
    this.stack.push(this.memo.get(index)!);
  }

  private top(): PickleValue {
    if (this.stack.length === 0 || this.stack.length === this.marks[this.marks.length - 1]) throw new PickleFormatError('the pickle reads an empty stack');
    return this.stack[this.stack.length - 1]!;
  }

  private pop(): PickleValue {
    const value = this.top();
    this.stack.pop();
    return value;
  }

  private popN(n: number): PickleValue[] {
    const floor = this.marks[this.marks.length - 1] ?? 0;
    if (this.stack.length - n < floor) throw new PickleFormatError('the pickle reads an empty stack');
    return this.stack.splice(this.stack.length - n, n);
  }

  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw new PickleFormatError('the pickle closes a mark it never opened');
    return this.stack.splice(mark, this.stack.length - mark);
  }

  private u8(): number {
    return this.source.read(1)[0]!;
  }

  private view(length: number): DataView {
    const bytes = this.source.read(length);
    return new DataView(bytes.buffer, bytes.byteOffset, length);
  }

  private length8(): number {
    const n = this.view(8).getBigUint64(0, true);
    if (n > BigInt(this.source.remaining)) throw new TruncatedError(`the pickle states ${n} bytes where ${this.source.remaining} are left`);
    return Number(n);
  }

  private bytes(length: number): Uint8Array {
    if (length < 0) throw new PickleFormatError(`the pickle states a length of ${length} bytes`);
    if (length > this.source.remaining) throw new TruncatedError(`the pickle states ${length} bytes where ${this.source.remaining} are left`);
    return this.source.read(length).slice();
  }

  private text(length: number): string {
    const bytes = this.bytes(length);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new PickleFormatError('the pickle holds a string that is not UTF-8');
    }
  }

  /** LONG1/LONG4: a little-endian two's-complement integer of `length` bytes. */
  private long(length: number): number | bigint {
    if (length < 0 || length > MAX_LONG_BYTES) throw new PickleFormatError(`the pickle holds an integer of ${length} bytes`);
    const bytes = this.bytes(length);
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
    if (length > 0 && bytes[length - 1]! >= 0x80) value -= 1n << BigInt(8 * length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  /** One line of a GLOBAL opcode (module, then name), ASCII. */
  private line(): string {
    const chars: number[] = [];
    for (;;) {
      const c = this.u8();
      if (c === 0x0a) return String.fromCharCode(...chars);
      if (chars.length >= MAX_GLOBAL_NAME || c < 0x20 || c > 0x7e) throw new PickleFormatError('a GLOBAL opcode without a readable name');
      chars.push(c);
    }
  }
}

function asName(value: PickleValue | undefined): string {
  if (typeof value !== 'string') throw new PickleFormatError('STACK_GLOBAL without string names');
  return value;
}

function describe(value: PickleValue | undefined): string {
  if (value instanceof StorageType) return 'storage type';
  if (value instanceof StorageRef) return 'storage';
  if (value instanceof TensorRef) return 'tensor';
  if (value instanceof PickleCallable) return value.qualifiedName;
  if (value instanceof PickleTuple) return 'tuple';
  if (value instanceof PickleList) return 'list';
  if (value instanceof PickleDict) return 'dict';
  return value === undefined ? 'nothing' : typeof value;
}
