import { describe, expect, it } from 'vitest';
import { float32ToFloat16 } from '../../src/engine/worker/float16.js';
import { planarToRgb24, predictionToRgb24, repeatBatch, rgb24ToPlanar } from '../../src/engine/worker/tensor-layout.js';
import { findGpuDevice, planProviders } from '../../src/engine/model/execution-provider.js';

describe('tensor layout', () => {
  it('GIVEN two 2×1 RGB frames THEN planar floats per frame and channel, and back exactly', () => {
    const rgb = Uint8Array.from([255, 0, 51, 0, 102, 255, 10, 20, 30, 40, 50, 60]);
    const planar = rgb24ToPlanar(rgb, 2, 2, 1);
    expect(Array.from(planar.subarray(0, 6)).map((v) => Math.round(v * 255))).toEqual([255, 0, 0, 102, 51, 255]);
    expect(Array.from(planarToRgb24(planar, 2, 2, 1))).toEqual(Array.from(rgb));
  });
  it('GIVEN values outside 0..1 THEN clamped and rounded', () => {
    expect(Array.from(planarToRgb24(Float32Array.from([-0.5, 1.5, 0.5]), 1, 1, 1))).toEqual([0, 255, 128]);
  });
  it('GIVEN a float16 prediction THEN the same RGB24 as its float32 values', () => {
    const planar = Float32Array.from([0, 0.5, 1, 0.25, 0.75, 0.125]); // exact in float16
    const want = Array.from(planarToRgb24(planar, 1, 2, 1));
    expect(Array.from(predictionToRgb24({ precision: 'fp32', data: planar }, 1, 2, 1))).toEqual(want);
    expect(Array.from(predictionToRgb24({ precision: 'fp16', data: float32ToFloat16(planar) }, 1, 2, 1))).toEqual(want);
  });
  it('repeats a batch item', () => {
    expect(Array.from(repeatBatch(Float32Array.from([1, 2]), 3))).toEqual([1, 2, 1, 2, 1, 2]);
  });
});

describe('execution provider plan', () => {
  const none = { cudaInstalled: false, webgpuBundled: false, gpuDevice: null };
  const h100 = { node: '/dev/nvidia0', driver: 'nvidia' };
  it('GIVEN auto on a CPU-only machine THEN cpu, with why CUDA and WebGPU were skipped', () => {
    const plan = planProviders('auto', { ...none, webgpuBundled: true });
    expect(plan.candidates.map((c) => c.provider)).toEqual(['cpu']);
    expect(plan.skipped.map((c) => c.provider)).toEqual(['cuda', 'webgpu']);
    expect(plan.skipped[1]!.reason).toMatch(/no GPU device/);
  });
  it('GIVEN auto with CUDA installed and a GPU THEN cuda, then webgpu, then cpu', () => {
    const plan = planProviders('auto', { cudaInstalled: true, webgpuBundled: true, gpuDevice: h100 });
    expect(plan.candidates.map((c) => c.provider)).toEqual(['cuda', 'webgpu', 'cpu']);
  });
  it('GIVEN auto with a GPU but no CUDA provider THEN webgpu before cpu', () => {
    const plan = planProviders('auto', { cudaInstalled: false, webgpuBundled: true, gpuDevice: h100 });
    expect(plan.candidates.map((c) => c.provider)).toEqual(['webgpu', 'cpu']);
    expect(plan.candidates[0]!.reason).toMatch(/\/dev\/nvidia0/);
  });
  it('GIVEN only a virtual GPU render node THEN auto skips WebGPU and says which node and driver', () => {
    const found = findGpuDevice(false, [{ name: 'renderD128', driver: 'virtio_gpu' }]);
    expect(found.device).toBeNull();
    const plan = planProviders('auto', { ...none, webgpuBundled: true, gpuDevice: found.device, ...(found.note ? { gpuDeviceNote: found.note } : {}) });
    expect(plan.candidates.map((c) => c.provider)).toEqual(['cpu']);
    expect(plan.skipped[1]!.reason).toMatch(/renderD128 is virtio_gpu, not a GPU's; --device webgpu uses it anyway/);
  });
  it('GIVEN device nodes THEN the NVIDIA node or the first render node of a GPU driver is the GPU', () => {
    expect(findGpuDevice(true, []).device).toEqual({ node: '/dev/nvidia0', driver: 'nvidia' });
    expect(findGpuDevice(false, []).device).toBeNull();
    expect(
      findGpuDevice(false, [
        { name: 'renderD128', driver: 'vgem' },
        { name: 'renderD129', driver: 'amdgpu' },
      ]).device,
    ).toEqual({ node: '/dev/dri/renderD129', driver: 'amdgpu' });
    expect(findGpuDevice(false, [{ name: 'renderD128', driver: null }]).note).toMatch(/unknown driver/);
    const intel = planProviders('auto', { ...none, webgpuBundled: true, gpuDevice: findGpuDevice(false, [{ name: 'renderD128', driver: 'i915' }]).device });
    expect(intel.candidates[0]).toEqual({ provider: 'webgpu', reason: 'WebGPU provider bundled and a GPU device present (/dev/dri/renderD128, i915)' });
  });
  it('GIVEN an explicit cuda request without the provider THEN no candidate, with the install hint', () => {
    const plan = planProviders('cuda', none);
    expect(plan.candidates).toEqual([]);
    expect(plan.skipped[0]!.reason).toMatch(/not installed/);
  });
  it('GIVEN an explicit webgpu request THEN it is tried even without a GPU device node (no silent fallback)', () => {
    expect(planProviders('webgpu', { ...none, webgpuBundled: true }).candidates.map((c) => c.provider)).toEqual(['webgpu']);
    expect(planProviders('cpu', none).candidates.map((c) => c.provider)).toEqual(['cpu']);
  });
});
