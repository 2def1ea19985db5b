/**
 * The full published vox-256 architecture (10 keypoints, 256×256; 14M + 46M
 * parameters): one seeded random-weight checkpoint in the official layout, one
 * conversion, and onnxruntime-node against PyTorch within 1e-4 on three detector
 * frames and one generated frame. CPU-heavy: about a minute on two cores.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/engine/model/manifest.js';
import { convert, makeRandomCheckpoint, maxAbsDiff, Reference, runAgainstReference, tempDir, TOLERANCE } from './helpers.js';
import { normalizeParity } from './normalize-parity.js';

const HEAVY = 600_000;

describe('a converted vox-256 checkpoint', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let model: string;
  let reference: Reference;

  beforeAll(async () => {
    work = await tempDir('convert-vox');
    const checkpoint = join(work.path, 'vox-cpk.pth.tar');
    const refDir = join(work.path, 'ref');
    // Adam's moment tensors would triple the file to the official ~720 MB; the layout is the same without them.
    await makeRandomCheckpoint('vox', checkpoint, { reference: refDir, generatorBatch: 1, optimizerMoments: false });
    model = join(work.path, 'models', 'vox');
    const result = await convert(['--checkpoint', checkpoint, '--config', 'vox', '--out', model]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    reference = await Reference.load(refDir);
  }, HEAVY);

  afterAll(async () => {
    await work?.remove();
  });

  it('describes the official vox model in its manifest', async () => {
    const manifest = parseManifest(await readFile(join(model, 'manifest.json'), 'utf8'), 'test');
    expect(manifest).toMatchObject({
      name: 'vox',
      inputSize: { width: 256, height: 256 },
      numKeypoints: 10,
      hasJacobian: true,
      trainedOn: 'VoxCeleb talking-head videos',
      recommendedMode: 'relative',
      source: 'https://github.com/AliaksandrSiarohin/first-order-model (vox-cpk.pth.tar)',
      precision: { kpDetector: 'fp32', generator: 'fp32' },
    });
    expect(manifest.license).toMatch(/^CC BY-NC 4\.0/);
  });

  it('detects the same keypoints and jacobians as PyTorch', async () => {
    const out = await runAgainstReference(join(model, 'kp_detector.onnx'), reference, 'kpDetector');
    expect(out['kp_value']!.got.dims).toEqual([3, 10, 2]);
    expect(maxAbsDiff(out['kp_value']!.got.data as Float32Array, out['kp_value']!.want.data)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(out['kp_jacobian']!.got.data as Float32Array, out['kp_jacobian']!.want.data)).toBeLessThan(TOLERANCE);
  }, HEAVY);

  it('generates the same frame as PyTorch', async () => {
    const out = await runAgainstReference(join(model, 'generator.onnx'), reference, 'generator');
    const { got, want } = out['prediction']!;
    expect(got.dims).toEqual([1, 3, 256, 256]);
    expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
  }, HEAVY);

  it("normalises the detected keypoints like FOMM's normalize_kp", async () => {
    for (const r of await normalizeParity(reference)) {
      expect(r.valueDiff, r.name).toBeLessThan(TOLERANCE);
      expect(r.jacobianDiff, r.name).toBeLessThan(TOLERANCE);
      expect(r.scaleDiff, r.name).toBeLessThan(TOLERANCE);
    }
  });
});
