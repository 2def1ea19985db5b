import type { InferenceSession } from 'onnxruntime-node';
import type { ProviderName } from './execution-provider.js';

/**
 * onnxruntime session options per execution provider. Pure, so the choices are
 * testable and the benchmark (bench/levers.ts) can vary one at a time.
 *
 * CPU: both sessions (keypoint detector and generator) run one after the other
 * in the worker, each with an intra-op pool of `cpuThreads`; inter-op
 * parallelism is off (the graphs are chains of large convolutions). Waiting
 * pool threads sleep instead of spinning: two sessions' spinning pools fight
 * over few cores. Graph optimisation 'all' includes the NCHWc convolution
 * layouts, which is where the CPU provider gets its speed. The memory pattern
 * (one block per run for every intermediate tensor, planned from the first
 * run) is off: the arena's reused chunks serve the same tensors with less
 * peak memory, and measured no slower (docs/performance.md).
 *
 * WebGPU: onnxruntime's own defaults (NHWC layout for convolutions, basic
 * validation) unless a tuning names others; the GPU check (bench/gpu) measures
 * the alternatives side by side before a default changes.
 */
export type WebGpuLayout = 'NHWC' | 'NCHW';
export type WebGpuValidation = 'disabled' | 'wgpuOnly' | 'basic' | 'full';

export interface WebGpuTuning {
  /** The tensor layout the provider rewrites convolutions and pools to. */
  readonly layout?: WebGpuLayout;
  /** How much the provider and Dawn check each GPU command. */
  readonly validation?: WebGpuValidation;
}

export interface SessionTuning {
  /** CPU intra-op threads; 0 = onnxruntime's default (all cores). */
  readonly cpuThreads: number;
  readonly spinning?: boolean;
  readonly graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  readonly memoryArena?: boolean;
  readonly memoryPattern?: boolean;
  readonly webgpu?: WebGpuTuning;
}

export function sessionOptionsFor(provider: ProviderName, tuning: SessionTuning): InferenceSession.SessionOptions {
  const base: InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: tuning.graphOptimization ?? 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
  if (provider === 'webgpu') return { ...base, executionProviders: [webGpuProvider(tuning.webgpu ?? {})] };
  if (provider !== 'cpu') return base;
  const spin = tuning.spinning === true ? '1' : '0';
  return {
    ...base,
    intraOpNumThreads: tuning.cpuThreads,
    interOpNumThreads: 1,
    enableCpuMemArena: tuning.memoryArena ?? true,
    enableMemPattern: tuning.memoryPattern ?? false,
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

function webGpuProvider(tuning: WebGpuTuning): InferenceSession.ExecutionProviderConfig {
  if (tuning.layout === undefined && tuning.validation === undefined) return 'webgpu';
  return {
    name: 'webgpu',
    ...(tuning.layout !== undefined ? { preferredLayout: tuning.layout } : {}),
    ...(tuning.validation !== undefined ? { validationMode: tuning.validation } : {}),
  };
}
