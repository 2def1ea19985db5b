import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/engine/model/manifest.js';
import { sessionOptionsFor } from '../../src/engine/model/session-options.js';

describe('session options', () => {
  it('GIVEN the CPU THEN the given intra-op threads, one inter-op thread, no spinning, all graph optimisations, arena without memory pattern', () => {
    const o = sessionOptionsFor('cpu', { cpuThreads: 2 });
    expect(o).toMatchObject({
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      enableCpuMemArena: true,
      enableMemPattern: false,
    });
    expect(o.extra).toEqual({ session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } });
  });
  it('GIVEN a tuning THEN that one setting changes', () => {
    const o = sessionOptionsFor('cpu', { cpuThreads: 1, spinning: true, memoryArena: false, graphOptimization: 'extended' });
    expect(o).toMatchObject({ intraOpNumThreads: 1, enableCpuMemArena: false, graphOptimizationLevel: 'extended' });
    expect(o.extra).toEqual({ session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' } } });
  });
  it('GIVEN a GPU provider THEN no CPU thread settings', () => {
    const o = sessionOptionsFor('webgpu', { cpuThreads: 2 });
    expect(o.executionProviders).toEqual(['webgpu']);
    expect(o.intraOpNumThreads).toBeUndefined();
    expect(o.extra).toBeUndefined();
  });
  it("GIVEN WebGPU settings THEN they go to the provider under onnxruntime's option names", () => {
    expect(sessionOptionsFor('webgpu', { cpuThreads: 2, webgpu: { layout: 'NCHW' } }).executionProviders).toEqual([
      { name: 'webgpu', preferredLayout: 'NCHW' },
    ]);
    expect(sessionOptionsFor('webgpu', { cpuThreads: 2, webgpu: { validation: 'disabled', layout: 'NHWC' } }).executionProviders).toEqual([
      { name: 'webgpu', preferredLayout: 'NHWC', validationMode: 'disabled' },
    ]);
    expect(sessionOptionsFor('webgpu', { cpuThreads: 2, webgpu: {} }).executionProviders).toEqual(['webgpu']);
  });
});

describe('manifest sharedSource', () => {
  const base = {
    formatVersion: 1,
    name: 'vox',
    description: 'd',
    family: 'fomm',
    inputSize: { width: 256, height: 256 },
    numKeypoints: 10,
    hasJacobian: true,
    trainedOn: 't',
    recommendedMode: 'relative',
    license: 'l',
    source: 's',
  };
  it('GIVEN no sharedSource THEN absent (one source image per frame)', () => {
    expect(parseManifest(JSON.stringify(base), 'm').sharedSource).toBeUndefined();
  });
  it('GIVEN sharedSource true THEN kept', () => {
    expect(parseManifest(JSON.stringify({ ...base, sharedSource: true }), 'm').sharedSource).toBe(true);
  });
  it('GIVEN sharedSource that is not a boolean THEN refused in one sentence', () => {
    expect(() => parseManifest(JSON.stringify({ ...base, sharedSource: 'yes' }), 'm')).toThrow(/sharedSource that is not true or false/);
  });
});
