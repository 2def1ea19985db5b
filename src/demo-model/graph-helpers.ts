import { attr } from '../onnx-builder/onnx-types.js';
import type { GraphBuilder, Value } from '../onnx-builder/graph-builder.js';

/** Small arithmetic helpers over a GraphBuilder, so the demo graphs read like the maths. */
export function ops(g: GraphBuilder) {
  const c = (v: number): Value => g.scalar(v);
  const asValue = (v: Value | number): Value => (typeof v === 'number' ? c(v) : v);
  const bin =
    (op: string) =>
    (a: Value | number, b: Value | number): Value =>
      g.op(op, [asValue(a), asValue(b)]);
  const sum = (x: Value, axes: readonly number[]): Value => g.op('ReduceSum', [x, g.int64s([...axes])], { keepdims: attr.int(1) });
  return {
    c,
    add: bin('Add'),
    sub: bin('Sub'),
    mul: bin('Mul'),
    div: bin('Div'),
    lt: bin('Less'),
    ge: bin('GreaterOrEqual'),
    max: bin('Max'),
    sqrt: (x: Value): Value => g.op('Sqrt', [x]),
    abs: (x: Value): Value => g.op('Abs', [x]),
    atan: (x: Value): Value => g.op('Atan', [x]),
    cos: (x: Value): Value => g.op('Cos', [x]),
    sin: (x: Value): Value => g.op('Sin', [x]),
    clip: (x: Value, lo: number, hi: number): Value => g.op('Clip', [x, c(lo), c(hi)]),
    where: (cond: Value, a: Value | number, b: Value | number): Value => g.op('Where', [cond, asValue(a), asValue(b)]),
    sum,
    mean: (x: Value, axes: readonly number[]): Value => g.op('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(1) }),
    maxOver: (x: Value, axes: readonly number[]): Value => g.op('ReduceMax', [x], { axes: attr.ints(axes), keepdims: attr.int(1) }),
    reshape: (x: Value, shape: readonly number[]): Value => g.op('Reshape', [x, g.int64s([...shape])]),
    concat: (xs: readonly Value[], axis: number): Value => g.op('Concat', xs, { axis: attr.int(axis) }),
    slice: (x: Value, start: number, end: number, axis: number): Value => g.op('Slice', [x, g.int64s([start]), g.int64s([end]), g.int64s([axis])]),
  };
}
export type Ops = ReturnType<typeof ops>;
