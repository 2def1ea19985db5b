/**
 * The full published vox-256 architecture (10 keypoints, 256×256; 14M + 46M
 * parameters): one seeded random-weight checkpoint in the official layout, one
 * conversion by `marionette convert --config vox` (the TypeScript converter, the
 * default for a built-in config), and onnxruntime-node against PyTorch within 1e-4
 * on three detector frames and one generated frame. CPU-heavy: about a minute on two cores.
 *
 * Then the same networks on the WebGPU provider (a software Vulkan adapter in CI,
 * see tests/engine/webgpu.test.ts), also with the depth-to-space interleave: only at
 * full size do the hourglasses reach a 2×2 level, where onnxruntime's WebGPU
 * convolutions once computed a phase wrong (inference_rewrites._padded_conv); and the
 * mixed-precision generator, whose float16 trunk must keep the frame within the
 * parity tolerance there (WebGPU computes float16 in float16, where the CPU provider
 * widens it). About two more minutes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/engine/model/manifest.js';
import { sessionOptionsFor, type WebGpuLayout } from '../../src/engine/model/session-options.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { probeWebGpu } from '../support/webgpu.js';
import { convert, makeRandomCheckpoint, maxAbsDiff, Reference, runAgainstReference, TOLERANCE, NO_PYTHON, PYTHON_READY } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';
import { normalizeParity } from './normalize-parity.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

const HEAVY = 600_000;
const webgpu = probeWebGpu();

describe.skipIf(noPython)('a converted vox-256 checkpoint', () => {
  let work: string;
  let model: string;
  let reference: Reference;
  let checkpoint: string;

  beforeAll(async () => {
    work = tempDir('marionette-convert-vox-');
    checkpoint = join(work, 'vox-cpk.pth.tar');
    const refDir = join(work, 'ref');
    // Adam's moment tensors would triple the file to the official ~720 MB; the layout is the same without them.
    await makeRandomCheckpoint('vox', checkpoint, { reference: refDir, generatorBatch: 1, optimizerMoments: false });
    model = join(work, 'models', 'vox');
    // No Python is asked for: a MARIONETTE_PYTHON that cannot run would stop a conversion that needed one.
    const result = await convert(['--checkpoint', checkpoint, '--config', 'vox', '--out', model], {
      ...process.env,
      MARIONETTE_PYTHON: '/nonexistent/python3',
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Converting with Marionette's own converter \(TypeScript/);
    reference = await Reference.load(refDir);
  }, HEAVY);

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

  it(
    'detects the same keypoints and jacobians as PyTorch',
    async () => {
      const out = await runAgainstReference(join(model, 'kp_detector.onnx'), reference, 'kpDetector');
      expect(out['kp_value']!.got.dims).toEqual([3, 10, 2]);
      expect(maxAbsDiff(out['kp_value']!.got.data as Float32Array, out['kp_value']!.want.data)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(out['kp_jacobian']!.got.data as Float32Array, out['kp_jacobian']!.want.data)).toBeLessThan(TOLERANCE);
    },
    HEAVY,
  );

  it(
    'generates the same frame as PyTorch',
    async () => {
      const out = await runAgainstReference(join(model, 'generator.onnx'), reference, 'generator');
      const { got, want } = out['prediction']!;
      expect(got.dims).toEqual([1, 3, 256, 256]);
      expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
    },
    HEAVY,
  );

  it("normalises the detected keypoints like FOMM's normalize_kp", async () => {
    for (const r of await normalizeParity(reference)) {
      expect(r.valueDiff, r.name).toBeLessThan(TOLERANCE);
      expect(r.jacobianDiff, r.name).toBeLessThan(TOLERANCE);
      expect(r.scaleDiff, r.name).toBeLessThan(TOLERANCE);
    }
  });

  const noWebGpu = skipUnlessAvailable(
    webgpu.available,
    `No WebGPU adapter here (${webgpu.reason}), so the vox-256 WebGPU parity tests cannot run; .ci/run installs Mesa's lavapipe for one.`,
  );
  describe.skipIf(noWebGpu)('on the WebGPU provider', () => {
    let d2s: string;
    let mixed: string;
    beforeAll(async () => {
      d2s = join(work, 'models', 'vox-d2s');
      mixed = join(work, 'models', 'vox-mixed');
      for (const [out, extra] of [
        [d2s, ['--upsample-interleave', 'depth-to-space']],
        [mixed, ['--precision', 'mixed']],
      ] as const) {
        const result = await convert(['--checkpoint', checkpoint, '--config', 'vox', '--out', out, ...extra]);
        expect(result.code, result.stdout + result.stderr).toBe(0);
      }
    }, HEAVY);

    it(
      "generates PyTorch's frame within the parity tolerance with the mixed-precision generator",
      async () => {
        const out = await runAgainstReference(join(mixed, 'generator.onnx'), reference, 'generator', sessionOptionsFor('webgpu', { cpuThreads: 0 }));
        const { got, want } = out['prediction']!;
        const d = grey(got.data as Float32Array, want.data);
        console.log(`vox mixed-precision generator on WebGPU: mean ${d.mean.toFixed(3)}, max ${d.max.toFixed(1)} grey levels`);
        // The whole generator in float16 gives about 2 grey levels on average here (docs/performance.md).
        expect(d.mean).toBeLessThanOrEqual(1);
      },
      HEAVY,
    );

    describe.each<{ interleave: string; dir: () => string }>([
      { interleave: 'stack', dir: () => model },
      { interleave: 'depth-to-space', dir: () => d2s },
    ])('up-sampling interleaved by $interleave', ({ dir }) => {
      it.each<{ layout: WebGpuLayout }>([{ layout: 'NHWC' }, { layout: 'NCHW' }])(
        'detects the same keypoints and jacobians as PyTorch with $layout convolutions',
        async ({ layout }) => {
          const options = sessionOptionsFor('webgpu', { cpuThreads: 0, webgpu: { layout } });
          const out = await runAgainstReference(join(dir(), 'kp_detector.onnx'), reference, 'kpDetector', options);
          expect(maxAbsDiff(out['kp_value']!.got.data as Float32Array, out['kp_value']!.want.data)).toBeLessThan(TOLERANCE);
          expect(maxAbsDiff(out['kp_jacobian']!.got.data as Float32Array, out['kp_jacobian']!.want.data)).toBeLessThan(TOLERANCE);
        },
        HEAVY,
      );

      it(
        "generates PyTorch's frame with the provider's default (NHWC) convolutions",
        async () => {
          const out = await runAgainstReference(join(dir(), 'generator.onnx'), reference, 'generator', sessionOptionsFor('webgpu', { cpuThreads: 0 }));
          const { got, want } = out['prediction']!;
          console.log(`vox generator on WebGPU: max difference ${maxAbsDiff(got.data as Float32Array, want.data).toExponential(2)}`);
          expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
        },
        HEAVY,
      );
    });
  });
});

/** Mean and largest difference of two 0..1 images, in grey levels (0..255). */
function grey(got: Float32Array, want: Float32Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!) * 255;
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / got.length, max };
}
