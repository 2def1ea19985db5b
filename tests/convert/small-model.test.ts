/**
 * Converts seeded random-weight checkpoints of small configs (64×64 with jacobians and
 * an occlusion map; 64×48 zero-order) and requires onnxruntime-node to reproduce the
 * PyTorch module within 1e-4, batched; plus the fp16 and mixed-precision generators and the engine's
 * keypoint normalisation against FOMM's normalize_kp.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/engine/model/manifest.js';
import { float16ToFloat32 } from '../../src/engine/worker/float16.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { convert, makeRandomCheckpoint, maxAbsDiff, Reference, runAgainstReference, TEST_CONFIG_DIR, TOLERANCE, NO_PYTHON, PYTHON_READY } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';

import { normalizeParity } from './normalize-parity.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

let work: string;
beforeAll(async () => {
  work = tempDir('marionette-convert-small-');
});

describe.skipIf(noPython).each([
  { config: 'small', size: [64, 64], numKp: 5, hasJacobian: true, format: 'legacy' as const },
  { config: 'small-zero-order', size: [64, 48], numKp: 3, hasJacobian: false, format: 'zip' as const },
])('a converted $config checkpoint', ({ config, size, numKp, hasJacobian, format }) => {
  let model: string;
  let reference: Reference;
  let output: string;

  beforeAll(async () => {
    const checkpoint = join(work, `${config}.pth.tar`);
    const refDir = join(work, `${config}-ref`);
    await makeRandomCheckpoint(config, checkpoint, { reference: refDir, format });
    model = join(work, 'models', config);
    const result = await convert(['--checkpoint', checkpoint, '--config', join(TEST_CONFIG_DIR, `${config}.yaml`), '--out', model]);
    output = result.stdout + result.stderr;
    expect(result.code, output).toBe(0);
    reference = await Reference.load(refDir);
  });

  it('writes a manifest the engine accepts', async () => {
    const manifest = parseManifest(await readFile(join(model, 'manifest.json'), 'utf8'), 'test');
    expect(manifest.name).toBe(config);
    expect(manifest.inputSize).toEqual({ width: size[0], height: size[1] });
    expect(manifest.numKeypoints).toBe(numKp);
    expect(manifest.hasJacobian).toBe(hasJacobian);
    expect(manifest.precision).toEqual({ kpDetector: 'fp32', generator: 'fp32' });
    expect(manifest.sharedSource).toBe(true);
    expect(output).toMatch(/Ready: /);
  });

  it('detects the same keypoints and jacobians as PyTorch, for a batch of three', async () => {
    const out = await runAgainstReference(join(model, 'kp_detector.onnx'), reference, 'kpDetector');
    expect(out['kp_value']!.got.dims).toEqual([3, numKp, 2]);
    expect(out['kp_jacobian']!.got.dims).toEqual([3, numKp, 2, 2]);
    expect(maxAbsDiff(out['kp_value']!.got.data as Float32Array, out['kp_value']!.want.data)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(out['kp_jacobian']!.got.data as Float32Array, out['kp_jacobian']!.want.data)).toBeLessThan(TOLERANCE);
  });

  it('generates the same frames as PyTorch, for a batch of two', async () => {
    const out = await runAgainstReference(join(model, 'generator.onnx'), reference, 'generator');
    const { got, want } = out['prediction']!;
    expect(got.dims).toEqual([2, 3, size[1], size[0]]);
    expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
    // The random network draws something: not a saturated or constant image.
    const values = Array.from(want.data);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.3);
  });

  it('generates the same frames from one source image shared by the batch', async () => {
    // Both reference frames animate the same source image: give it once, with two frames' keypoints.
    const session = await InferenceSession.create(join(model, 'generator.onnx'), { executionProviders: ['cpu'] });
    try {
      const feeds = await reference.feeds(reference.json.generator.inputs);
      const source = feeds['source']!;
      const one = (source.data as Float32Array).subarray(0, source.size / source.dims[0]!);
      feeds['source'] = new Tensor('float32', one, [1, ...source.dims.slice(1)]);
      const got = (await session.run(feeds))['prediction']!;
      const want = await reference.tensor('gen_prediction');
      expect(got.dims).toEqual([2, 3, size[1], size[0]]);
      expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
    } finally {
      await session.release();
    }
  });

  it("normalises keypoints like FOMM's normalize_kp", async () => {
    const results = await normalizeParity(reference);
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r.valueDiff, r.name).toBeLessThan(TOLERANCE);
      expect(r.jacobianDiff, r.name).toBeLessThan(TOLERANCE);
      expect(r.scaleDiff, r.name).toBeLessThan(TOLERANCE);
    }
  });
});

/** A seeded random-weight `small` checkpoint with its PyTorch reference outputs. */
async function seededSmall(name: string, seed: number): Promise<{ checkpoint: string; refDir: string }> {
  const checkpoint = join(work, `${name}.pth.tar`);
  const refDir = join(work, `${name}-ref`);
  await makeRandomCheckpoint('small', checkpoint, { reference: refDir, seed });
  return { checkpoint, refDir };
}

/** Converts it with the `small` config and the given options into models/<model>; the conversion must succeed. */
async function convertSmall(checkpoint: string, model: string, options: readonly string[]): Promise<string> {
  const out = join(work, 'models', model);
  const result = await convert(['--checkpoint', checkpoint, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', out, ...options]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return out;
}

describe.skipIf(noPython)('--fp16', () => {
  it('writes a float16 generator, records it, and stays close to PyTorch', async () => {
    const { checkpoint, refDir } = await seededSmall('fp16', 7);
    const model = await convertSmall(checkpoint, 'small-fp16', ['--fp16']);

    const manifest = parseManifest(await readFile(join(model, 'manifest.json'), 'utf8'), 'test');
    expect(manifest.precision).toEqual({ kpDetector: 'fp32', generator: 'fp16' });

    const session = await InferenceSession.create(join(model, 'generator.onnx'), { executionProviders: ['cpu'] });
    try {
      expect(session.inputMetadata.map((m) => (m.isTensor ? m.type : 'none'))).toEqual(Array(5).fill('float16'));
      const reference = await Reference.load(refDir);
      const out = (await session.run(await reference.feeds(reference.json.generator.inputs, 'float16')))['prediction']!;
      expect(out.type).toBe('float16');
      const want = await reference.tensor('gen_prediction');
      // Half precision: a few thousandths off at most, on a 0..1 scale.
      expect(maxAbsDiff(float16ToFloat32(out.data as Uint16Array), want.data)).toBeLessThan(0.01);
    } finally {
      await session.release();
    }
    // The detector stays float32 and identical to the fp32 conversion's.
    const kp = await InferenceSession.create(join(model, 'kp_detector.onnx'), { executionProviders: ['cpu'] });
    expect(kp.inputMetadata[0]!.isTensor && kp.inputMetadata[0]!.type).toBe('float32');
    await kp.release();
  });
});

describe.skipIf(noPython)('--precision mixed', () => {
  it('writes a generator with float32 inputs and outputs and a float16 trunk, records it, and stays close to PyTorch', async () => {
    const { checkpoint, refDir } = await seededSmall('mixed', 8);
    const mixed = await convertSmall(checkpoint, 'small-mixed', ['--precision', 'mixed']);
    const full = await convertSmall(checkpoint, 'small-full', []);

    const manifest = parseManifest(await readFile(join(mixed, 'manifest.json'), 'utf8'), 'test');
    expect(manifest.precision).toEqual({ kpDetector: 'fp32', generator: 'mixed' });
    const reference = await Reference.load(refDir);
    const gen = await runAgainstReference(join(mixed, 'generator.onnx'), reference, 'generator');
    const { got, want } = gen['prediction']!;
    expect(got.type).toBe('float32');
    const diff = maxAbsDiff(got.data as Float32Array, want.data);
    // Half-precision weights and activations in the trunk: a few thousandths off at most, on a 0..1 scale…
    expect(diff).toBeLessThan(0.01);
    // …and off at all: the trunk's weights really are float16 (the file is smaller, too).
    expect(diff).toBeGreaterThan(TOLERANCE);
    expect((await stat(join(mixed, 'generator.onnx'))).size).toBeLessThan((await stat(join(full, 'generator.onnx'))).size);
  });

  it('refuses --fp16 together with another precision, in one sentence', async () => {
    const result = await convert(['--checkpoint', 'x.pth.tar', '--config', 'vox', '--out', join(work, 'models', 'never'), '--fp16', '--precision', 'mixed']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('--fp16 means --precision fp16; it cannot go with --precision mixed.');
  });
});

describe.skipIf(noPython)('--upsample-interleave depth-to-space', () => {
  it('writes networks that give PyTorch’s keypoints and frames on the CPU provider', async () => {
    const { checkpoint, refDir } = await seededSmall('d2s', 9);
    const model = await convertSmall(checkpoint, 'small-d2s', ['--upsample-interleave', 'depth-to-space']);
    const reference = await Reference.load(refDir);
    const kp = await runAgainstReference(join(model, 'kp_detector.onnx'), reference, 'kpDetector');
    expect(maxAbsDiff(kp['kp_value']!.got.data as Float32Array, kp['kp_value']!.want.data)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(kp['kp_jacobian']!.got.data as Float32Array, kp['kp_jacobian']!.want.data)).toBeLessThan(TOLERANCE);
    const gen = await runAgainstReference(join(model, 'generator.onnx'), reference, 'generator');
    expect(maxAbsDiff(gen['prediction']!.got.data as Float32Array, gen['prediction']!.want.data)).toBeLessThan(TOLERANCE);
  });
});

describe.skipIf(noPython)('--plain', () => {
  it('writes the layer-for-layer export (no shared source), which gives PyTorch’s frames too', async () => {
    const { checkpoint, refDir } = await seededSmall('plain', 11);
    const model = await convertSmall(checkpoint, 'small-plain', ['--plain']);
    const manifest = parseManifest(await readFile(join(model, 'manifest.json'), 'utf8'), 'test');
    expect(manifest.sharedSource).toBeUndefined();
    const gen = await runAgainstReference(join(model, 'generator.onnx'), await Reference.load(refDir), 'generator');
    expect(maxAbsDiff(gen['prediction']!.got.data as Float32Array, gen['prediction']!.want.data)).toBeLessThan(TOLERANCE);
  });
});

describe.skipIf(noPython)('--no-winograd', () => {
  it('writes a generator with direct residual convolutions that gives PyTorch’s frames, as the default Winograd one does', async () => {
    const { checkpoint, refDir } = await seededSmall('direct', 10);
    const reference = await Reference.load(refDir);
    const sizes: number[] = [];
    for (const [name, extra] of [
      ['small-winograd', []],
      ['small-direct', ['--no-winograd']],
    ] as const) {
      const model = await convertSmall(checkpoint, name, extra);
      const gen = await runAgainstReference(join(model, 'generator.onnx'), reference, 'generator');
      expect(maxAbsDiff(gen['prediction']!.got.data as Float32Array, gen['prediction']!.want.data), name).toBeLessThan(TOLERANCE);
      sizes.push((await stat(join(model, 'generator.onnx'))).size);
    }
    // Winograd's transformed weights take 36 numbers per channel pair, a 3×3 kernel 9: the option took effect.
    expect(sizes[0]).toBeGreaterThan(sizes[1]!);
  });
});
