/**
 * The ONNX pieces the TypeScript converter writes with (src/onnx-builder): float32 → float16 as numpy rounds and
 * clips, a graph whose weights are produced while the file is streamed (each once, then dropped) run by
 * onnxruntime, and the fp16 and mixed-precision rewrites giving graphs onnxruntime runs to the same numbers.
 */
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { float16ToFloat32, toFloat16Bits } from '../../src/engine/worker/float16.js';
import { convertToFloat16 } from '../../src/onnx-builder/float16-pass.js';
import { FLOAT16_MAX, toFloat16 } from '../../src/onnx-builder/float16.js';
import { convertToMixedPrecision } from '../../src/onnx-builder/mixed-precision-pass.js';
import { writeModelFile } from '../../src/onnx-builder/model-writer.js';
import { NetworkBuilder } from '../../src/onnx-builder/network-builder.js';
import { attr, TensorDataType } from '../../src/onnx-builder/onnx-types.js';
import { tempDir } from '../support/temp-dir.js';

let work: string;
beforeAll(async () => {
  work = tempDir('marionette-onnx-writer-');
});

const INFO = { producerName: 'test', producerVersion: '1', docString: 'test', opsetVersion: 17 };

describe('toFloat16', () => {
  it('GIVEN values across float16’s range THEN the bits of round-to-nearest-even, as the engine’s converter gives', () => {
    const values = Float32Array.from({ length: 20_000 }, (_, i) => Math.sin(i * 12.9898) * 2 ** ((i % 40) - 26));
    const { bits, clipped } = toFloat16(values);
    expect(clipped).toBe(0);
    expect(Array.from(bits)).toEqual(Array.from(values, (v) => toFloat16Bits(v)));
  });

  it('GIVEN values beyond ±65504 THEN they are clipped to it and counted, NaN kept', () => {
    const { bits, clipped } = toFloat16(Float32Array.from([70_000, -1e9, Infinity, 65_504, 65_519, NaN]));
    expect(clipped).toBe(4);
    expect(Array.from(float16ToFloat32(bits))).toEqual([FLOAT16_MAX, -FLOAT16_MAX, FLOAT16_MAX, FLOAT16_MAX, FLOAT16_MAX, NaN]);
  });
});

/** y = relu(conv(x, W) + b) · 0.5 with lazy weights, nodes under the scopes "trunk" and "head". */
function smallGraph(produced: string[]): NetworkBuilder {
  const b = new NetworkBuilder('test');
  const x = b.input('x', ['N', 2, 4, 4]);
  const weight = b.weight('w', [3, 2, 3, 3], async () => {
    produced.push('w');
    return Float32Array.from({ length: 54 }, (_, i) => ((i % 7) - 3) / 10);
  });
  const bias = b.weight('b', [3], async () => {
    produced.push('b');
    return Float32Array.from([0.1, -0.2, 0.3]);
  });
  const trunk = b.within('trunk', () => b.op('Relu', [b.op('Conv', [x, weight, bias], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })]));
  const head = b.within('head', () => b.op('Mul', [trunk, b.scalar(0.5)]));
  b.output(head, 'y', ['N', 3, 4, 4]);
  return b;
}

async function run(path: string, type: 'float32' | 'float16'): Promise<Float32Array> {
  const session = await InferenceSession.create(path, { executionProviders: ['cpu'] });
  try {
    const data = Float32Array.from({ length: 32 }, (_, i) => Math.cos(i) / 2);
    const x =
      type === 'float16'
        ? new Tensor(
            'float16',
            Uint16Array.from(data, (v) => toFloat16Bits(v)),
            [1, 2, 4, 4],
          )
        : new Tensor('float32', data, [1, 2, 4, 4]);
    const y = (await session.run({ x }))['y']!;
    return y.type === 'float16' ? float16ToFloat32(y.data as Uint16Array) : (y.data as Float32Array);
  } finally {
    await session.release();
  }
}

describe('writeModelFile', () => {
  it('GIVEN a graph of lazy weights THEN each is produced once while streaming, and onnxruntime runs the file', async () => {
    const produced: string[] = [];
    const path = join(work, 'fp32.onnx');
    const stats = await writeModelFile(path, smallGraph(produced).graph, INFO);
    expect(produced).toEqual(['w', 'b']);
    expect(stats.clipped).toBe(0);
    const y = await run(path, 'float32');
    expect(y).toHaveLength(48);
    expect(Math.max(...y)).toBeGreaterThan(0);
    expect(Math.min(...y)).toBe(0);
  });

  it('GIVEN the fp16 rewrite THEN inputs, outputs and weights are float16 and the numbers stay within float16 rounding', async () => {
    const reference = await run(await written('ref.onnx', smallGraph([])), 'float32');
    const graph = smallGraph([]).graph;
    convertToFloat16(graph);
    expect([...graph.inputs, ...graph.outputs].map((v) => v.dataType)).toEqual([TensorDataType.FLOAT16, TensorDataType.FLOAT16]);
    const half = await run(await written('fp16.onnx', { graph }), 'float16');
    half.forEach((v, i) => expect(Math.abs(v - reference[i]!)).toBeLessThan(2e-3));
  });

  it('GIVEN the mixed rewrite of one scope THEN casts join the regions, float32 at the edges, and the numbers stay close', async () => {
    const reference = await run(await written('ref2.onnx', smallGraph([])), 'float32');
    const graph = smallGraph([]).graph;
    convertToMixedPrecision(graph, ['/trunk/']);
    expect(graph.nodes.filter((n) => n.opType === 'Cast').map((n) => n.name)).toEqual(['x__fp16', '/trunk/Relu_output_0__fp32']);
    expect(graph.initializers.find((t) => t.name === 'w')?.dataType).toBe(TensorDataType.FLOAT16);
    const mixed = await run(await written('mixed.onnx', { graph }), 'float32');
    mixed.forEach((v, i) => expect(Math.abs(v - reference[i]!)).toBeLessThan(2e-3));
    expect(() => convertToMixedPrecision(smallGraph([]).graph, ['/nowhere/'])).toThrow(/no node is named \/nowhere\//);
  });
});

async function written(name: string, builder: Pick<NetworkBuilder, 'graph'>): Promise<string> {
  const path = join(work, name);
  await writeModelFile(path, builder.graph, INFO);
  return path;
}
