import type { FaultKind } from '../fault-injection.js';
import type { DeviceRequest, ProviderCandidate, ProviderName } from '../model/execution-provider.js';
import type { ModelManifest } from '../model/manifest.js';
import type { WebGpuTuning } from '../model/session-options.js';
import type { Prediction } from './tensor-layout.js';

/**
 * Messages between the engine (main thread) and its inference worker. Every
 * request carries an id; the worker answers each with `ok` or `error`, in order.
 * Frame buffers are transferred, not copied: driving frames go as planar
 * [N,3,H,W] floats, generated frames come back as the generator gives them.
 */
export interface SerializedKeypoints {
  readonly value: Float32Array;
  readonly jacobian: Float32Array;
}

export interface Requests {
  load: {
    args: { modelDir: string; device: DeviceRequest; cpuThreads: number; webgpu?: WebGpuTuning };
    result: { provider: ProviderName; reason: string; rejected: ProviderCandidate[]; manifest: ModelManifest; loadMs: number; reused: boolean };
  };
  warm: {
    args: { count: number };
    result: { warmMs: number };
  };
  begin: {
    args: { jobId: string; source: Uint8Array; relative: boolean; adaptScale: boolean; cancelFlag: SharedArrayBuffer };
    result: { kpSource: SerializedKeypoints; kpMs: number };
  };
  keypoints: {
    args: { jobId: string; frames: Float32Array; count: number };
    result: { values: Float32Array; jacobians: Float32Array; kpMs: number };
  };
  'set-initial': {
    args: { jobId: string; keypoints: SerializedKeypoints };
    result: { alpha: number };
  };
  generate: {
    /** `fault`: a chaos hook for reliability tests (fault-injection.ts). */
    args: { jobId: string; frames: Float32Array; count: number; fault?: FaultKind };
    result: { prediction: Prediction; count: number; kpMs: number; generatorMs: number; alpha: number };
  };
  /** Face detection (framing): S×S RGB24 pictures → the tiny face detector's raw grids. */
  faces: {
    args: { pictures: Uint8Array; count: number; inputSize: number; cpuThreads: number };
    result: { grids: Float32Array; cells: number; detectMs: number; startMs: number };
  };
  end: {
    args: { jobId: string };
    result: Record<string, never>;
  };
}

export type RequestType = keyof Requests;

export type WorkerRequest = {
  [K in RequestType]: { readonly id: number; readonly type: K; readonly args: Requests[K]['args'] };
}[RequestType];

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly context?: Record<string, unknown>;
  readonly stack?: string;
}

export type WorkerResponse =
  { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: SerializedError };
