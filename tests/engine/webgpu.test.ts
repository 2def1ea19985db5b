/**
 * The WebGPU execution provider, for real: onnxruntime-node's WebGPU provider on
 * whatever adapter this machine has. CI has no GPU; it installs Mesa's software
 * Vulkan driver (lavapipe, .ci/run), which Dawn accepts as an adapter, so the
 * same graph, shaders and engine code run as on a GPU, only slowly. Speed is
 * measured on a real GPU by bench/gpu; here it is correctness: the converted FOMM
 * networks against PyTorch in both convolution layouts, with either up-sampling
 * interleave, in float16 and in mixed precision, and the engine end to end against
 * its CPU output.
 *
 * Skipped, saying why, where no adapter exists (a fresh machine without a Vulkan
 * driver); in CI (MARIONETTE_CI=1, set by .ci/run, which also installs an adapter)
 * a missing adapter fails instead.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuLayout } from '../../src/engine/model/session-options.js';
import { sessionOptionsFor } from '../../src/engine/model/session-options.js';
import { float16ToFloat32 } from '../../src/engine/worker/float16.js';
import {
  convert,
  makeRandomCheckpoint,
  maxAbsDiff,
  NO_PYTHON,
  PYTHON_READY,
  Reference,
  runAgainstReference,
  TEST_CONFIG_DIR,
  TOLERANCE,
} from '../convert/helpers.js';
import { tempDir } from '../support/temp-dir.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { probeWebGpu } from '../support/webgpu.js';

const run = promisify(execFile);
const webgpu = probeWebGpu();
const noWebGpu = skipUnlessAvailable(
  webgpu.available,
  `No WebGPU adapter here (${webgpu.reason}), so the WebGPU tests cannot run; \`npm test\` installs one (Mesa's lavapipe) when it ` +
    `runs as root (tools/setup/system-deps.sh).`,
);
// The WebGPU checks compare converted models against PyTorch.
const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

let work: string;
let model: string;
let d2sModel: string;
let fp16Model: string;
let mixedModel: string;
let reference: Reference;

describe.skipIf(noWebGpu || noPython)('the WebGPU provider', () => {
  beforeAll(async () => {
    work = tempDir('marionette-webgpu-');
    const checkpoint = join(work, 'small.pth.tar');
    const refDir = join(work, 'small-ref');
    await makeRandomCheckpoint('small', checkpoint, { reference: refDir, seed: 5 });
    reference = await Reference.load(refDir);
    model = join(work, 'small');
    d2sModel = join(work, 'small-d2s');
    fp16Model = join(work, 'small-fp16');
    mixedModel = join(work, 'small-mixed');
    for (const [out, extra] of [
      [model, []],
      [d2sModel, ['--upsample-interleave', 'depth-to-space']],
      [fp16Model, ['--fp16']],
      [mixedModel, ['--precision', 'mixed']],
    ] as const) {
      const r = await convert(['--checkpoint', checkpoint, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', out, ...extra]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  }, 300_000);

  describe.each<{ layout: WebGpuLayout; interleave: string; dir: () => string }>([
    { layout: 'NHWC', interleave: 'stack', dir: () => model },
    { layout: 'NCHW', interleave: 'stack', dir: () => model },
    { layout: 'NHWC', interleave: 'depth-to-space', dir: () => d2sModel },
    { layout: 'NCHW', interleave: 'depth-to-space', dir: () => d2sModel },
  ])('with convolutions in $layout, up-sampling interleaved by $interleave', ({ layout, dir }) => {
    const options = sessionOptionsFor('webgpu', { cpuThreads: 0, webgpu: { layout } });

    it("GIVEN a converted FOMM keypoint detector THEN PyTorch's keypoints and jacobians, for a batch of three", async () => {
      const out = await runAgainstReference(join(dir(), 'kp_detector.onnx'), reference, 'kpDetector', options);
      expect(maxAbsDiff(out['kp_value']!.got.data as Float32Array, out['kp_value']!.want.data)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(out['kp_jacobian']!.got.data as Float32Array, out['kp_jacobian']!.want.data)).toBeLessThan(TOLERANCE);
    });

    it("GIVEN a converted FOMM generator THEN PyTorch's frames, for a batch of two sharing one source image", async () => {
      const session = await InferenceSession.create(join(dir(), 'generator.onnx'), options);
      try {
        const feeds = await reference.feeds(reference.json.generator.inputs);
        const source = feeds['source']!;
        feeds['source'] = new Tensor('float32', (source.data as Float32Array).subarray(0, source.size / source.dims[0]!), [1, ...source.dims.slice(1)]);
        const got = (await session.run(feeds))['prediction']!;
        const want = await reference.tensor('gen_prediction');
        expect(got.dims).toEqual(want.dims);
        expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
      } finally {
        await session.release();
      }
    });
  });

  it('GIVEN the --fp16 generator THEN it runs in half precision on WebGPU and stays within 0.01 of PyTorch', async () => {
    const out = await runAgainstReference(join(fp16Model, 'generator.onnx'), reference, 'generator', sessionOptionsFor('webgpu', { cpuThreads: 0 }), 'float16');
    const { got, want } = out['prediction']!;
    expect(got.type).toBe('float16');
    expect(maxAbsDiff(float16ToFloat32(got.data as Uint16Array), want.data)).toBeLessThan(0.01);
  });

  it('GIVEN the mixed-precision generator THEN it takes and gives float32 on WebGPU and stays within 0.01 of PyTorch', async () => {
    const out = await runAgainstReference(join(mixedModel, 'generator.onnx'), reference, 'generator', sessionOptionsFor('webgpu', { cpuThreads: 0 }));
    const { got, want } = out['prediction']!;
    expect(got.type).toBe('float32');
    expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThan(0.01);
  });

  describe('the engine end to end (marionette animate --device webgpu)', () => {
    let photo: string;
    let driving: string;
    beforeAll(async () => {
      photo = join(work, 'photo.png');
      driving = join(work, 'driving.mp4');
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=96x80:rate=1', '-frames:v', '1', photo]);
      // 11 frames: batches of 4 leave a last batch of 3.
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=96x80:rate=11', '-t', '1', '-pix_fmt', 'yuv420p', driving]);
    });

    async function animate(modelDir: string, device: 'cpu' | 'webgpu', out: string): Promise<{ provider: string; frames: Buffer }> {
      const r = await runCli(
        [
          'animate',
          '--source',
          photo,
          '--driving',
          driving,
          '--out',
          out,
          '--model',
          modelDir,
          '--device',
          device,
          '--batch',
          '4',
          '--no-audio',
          '--json',
          '--quiet',
        ],
        {
          timeoutMs: 300_000,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout) as { provider: string; frames: number };
      expect(result.frames).toBe(11);
      const raw = await run('ffmpeg', ['-v', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 << 20 });
      return { provider: result.provider, frames: raw.stdout };
    }

    function difference(a: Buffer, b: Buffer): { mean: number; max: number } {
      expect(a.length).toBe(b.length);
      let sum = 0;
      let max = 0;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i]! - b[i]!);
        sum += d;
        if (d > max) max = d;
      }
      return { mean: sum / a.length, max };
    }

    it.each([
      { name: 'the built-in demo model', dir: () => join(REPO_ROOT, 'models', 'default') },
      { name: 'a converted FOMM model', dir: () => model },
    ])('GIVEN $name THEN the clip equals the CPU provider’s within a grey level', async ({ dir }) => {
      const gpu = await animate(dir(), 'webgpu', join(work, 'gpu.mkv'));
      const cpu = await animate(dir(), 'cpu', join(work, 'cpu.mkv'));
      expect(gpu.provider).toBe('webgpu');
      expect(cpu.provider).toBe('cpu');
      // Different float summation orders: rounding flips by one level, rarely two.
      const d = difference(gpu.frames, cpu.frames);
      expect(d.mean).toBeLessThan(0.1);
      expect(d.max).toBeLessThanOrEqual(2);
    });

    it.each([
      { name: 'fp16', dir: () => fp16Model },
      { name: 'mixed-precision', dir: () => mixedModel },
    ])('GIVEN the $name generator THEN the clip stays within the parity tolerance (mean ≤ 1/255) of the fp32 model on the CPU', async ({ name, dir }) => {
      // WebGPU computes in half precision where the CPU provider widens to float32,
      // so the fair reference is the full-precision model.
      const gpu = await animate(dir(), 'webgpu', join(work, `gpu-${name}.mkv`));
      const cpu = await animate(model, 'cpu', join(work, 'cpu32.mkv'));
      expect(gpu.provider).toBe('webgpu');
      const d = difference(gpu.frames, cpu.frames);
      console.log(`${name} on WebGPU vs fp32 on the CPU: mean ${d.mean.toFixed(3)}, max ${d.max} grey levels`);
      expect(d.mean).toBeLessThanOrEqual(1);
      expect(d.max).toBeLessThanOrEqual(12);
    });
  });
});
