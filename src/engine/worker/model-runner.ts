import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { EngineError, InputError, withoutPaths } from '../errors.js';
import { detectAvailability, planProviders, type DeviceRequest, type ProviderCandidate, type ProviderName } from '../model/execution-provider.js';
import type { ModelFolder } from '../model/model-folder.js';
import { sessionOptionsFor, type WebGpuTuning } from '../model/session-options.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';
import type { RunGuard } from './run-guard.js';
import type { Prediction } from './tensor-layout.js';

/**
 * Owns the two onnxruntime sessions of one model (keypoint detector and
 * generator) on the chosen execution provider, validates them against the
 * manifest, and runs batches. Lives inside the worker thread.
 */
export interface RunnerOptions {
  readonly device: DeviceRequest;
  /** Threads for the CPU provider's intra-op pool; 0 = onnxruntime's default (all cores). */
  readonly cpuThreads: number;
  /** WebGPU provider settings other than onnxruntime's defaults (the GPU check varies them). */
  readonly webgpu?: WebGpuTuning;
  /** Wraps every model run, so the worker is never stopped inside one. */
  readonly guard?: RunGuard;
}

export interface ProviderChoice {
  readonly provider: ProviderName;
  readonly reason: string;
  /** Each provider tried before, with why it was not used. */
  readonly rejected: readonly ProviderCandidate[];
}

export interface KeypointBatch {
  /** [N,K,2] */
  readonly values: Float32Array;
  /** [N,K,2,2] */
  readonly jacobians: Float32Array;
}

const KP_OUTPUTS = ['kp_value', 'kp_jacobian'];
const GEN_INPUTS = ['source', 'kp_source_value', 'kp_source_jacobian', 'kp_driving_value', 'kp_driving_jacobian'];

export class ModelRunner {
  private constructor(
    readonly model: ModelFolder,
    readonly choice: ProviderChoice,
    private readonly kp: ort.InferenceSession,
    private readonly gen: ort.InferenceSession,
    private readonly guard: RunGuard | undefined,
  ) {}

  static async open(model: ModelFolder, options: RunnerOptions): Promise<ModelRunner> {
    const plan = planProviders(
      options.device,
      detectAvailability(() => ort.listSupportedBackends()),
    );
    const rejected: ProviderCandidate[] = [...plan.skipped];
    for (const candidate of plan.candidates) {
      try {
        const sessionOptions = sessionOptionsFor(candidate.provider, { cpuThreads: options.cpuThreads, ...(options.webgpu ? { webgpu: options.webgpu } : {}) });
        const kp = await ort.InferenceSession.create(model.kpDetectorPath, sessionOptions);
        let gen: ort.InferenceSession;
        try {
          gen = await ort.InferenceSession.create(model.generatorPath, sessionOptions);
        } catch (e) {
          await kp.release();
          throw e;
        }
        const runner = new ModelRunner(model, { provider: candidate.provider, reason: candidate.reason, rejected }, kp, gen, options.guard);
        try {
          runner.checkContract();
        } catch (e) {
          // A model whose inputs or outputs are wrong: its sessions must not outlive the refusal (the worker lives on).
          await Promise.allSettled([kp.release(), gen.release()]);
          throw e;
        }
        return runner;
      } catch (e) {
        if (e instanceof InputError) throw e;
        rejected.push({ provider: candidate.provider, reason: firstLine((e as Error).message) });
      }
    }
    // The message is shown to users (a Discord reply): the folder by name only, and onnxruntime's reasons without the
    // server's paths (it names the files it could not load); the folder and the full reasons are in the context, for logs.
    const detail = withoutPaths(rejected.map((r) => `${r.provider}: ${r.reason}`).join('; '));
    if (options.device === 'auto' || options.device === 'cpu') {
      throw new InputError(
        'bad-model',
        `The model in the folder ${basename(model.dir)} could not be loaded by onnxruntime (${detail}); the ONNX files may be damaged.`,
        {
          dir: model.dir,
          rejected,
        },
      );
    }
    throw new InputError('bad-option', `The ${options.device} device is not available here (${detail}); use --device auto or cpu.`, {
      dir: model.dir,
      rejected,
    });
  }

  /** The sessions' inputs and outputs must be those of the model contract. */
  private checkContract(): void {
    const where = `the folder ${basename(this.model.dir)}`;
    const need = (have: readonly string[], want: readonly string[], what: string) => {
      const missing = want.filter((n) => !have.includes(n));
      if (missing.length > 0) {
        throw new InputError('bad-model', `The model's ${what} in ${where} lacks ${missing.join(', ')} (it does not follow the model-folder contract).`, {
          dir: this.model.dir,
        });
      }
    };
    need(this.kp.inputNames, ['source'], 'kp_detector.onnx inputs');
    need(this.kp.outputNames, KP_OUTPUTS, 'kp_detector.onnx outputs');
    need(this.gen.inputNames, GEN_INPUTS, 'generator.onnx inputs');
    need(this.gen.outputNames, ['prediction'], 'generator.onnx outputs');
  }

  get inputSize(): { width: number; height: number } {
    return this.model.manifest.inputSize;
  }

  get numKeypoints(): number {
    return this.model.manifest.numKeypoints;
  }

  /** frames: [N,3,H,W] floats → keypoints [N,K,2] and jacobians [N,K,2,2]. */
  async keypoints(frames: Float32Array, count: number): Promise<KeypointBatch> {
    const { width, height } = this.inputSize;
    const out = await this.run(this.kp, { source: new ort.Tensor('float32', frames, [count, 3, height, width]) });
    const values = floatData(out['kp_value']);
    const jacobians = floatData(out['kp_jacobian']);
    const k = this.numKeypoints;
    if (values.length !== count * k * 2 || jacobians.length !== count * k * 4) {
      throw new EngineError(`kp_detector returned ${values.length / 2 / count} keypoints per frame; the manifest says ${k}.`, { dir: this.model.dir });
    }
    return { values, jacobians };
  }

  /** The generator takes one source image for a whole batch (see ModelManifest.sharedSource). */
  get sharedSource(): boolean {
    return this.model.manifest.sharedSource === true;
  }

  /**
   * source: [N,3,H,W], or [1,3,H,W] with a shared-source generator; keypoints for N frames
   * → N generated frames, [N,3,H,W], as the generator gives them (float16 bits stay so:
   * the main thread converts them while the next batch runs).
   */
  async generate(source: Float32Array, kpSource: KeypointBatch, kpDriving: KeypointBatch, count: number): Promise<Prediction> {
    const { width, height } = this.inputSize;
    const k = this.numKeypoints;
    const sources = source.length / (3 * width * height);
    if (sources !== count && !(sources === 1 && this.sharedSource)) {
      throw new EngineError(`${sources} source images for a batch of ${count} frames.`, { dir: this.model.dir });
    }
    const half = this.model.manifest.precision.generator === 'fp16';
    const tensor = (data: Float32Array, dims: number[]) =>
      half ? new ort.Tensor('float16', float32ToFloat16(data), dims) : new ort.Tensor('float32', data, dims);
    const out = await this.run(this.gen, {
      source: tensor(source, [sources, 3, height, width]),
      kp_source_value: tensor(kpSource.values, [count, k, 2]),
      kp_source_jacobian: tensor(kpSource.jacobians, [count, k, 2, 2]),
      kp_driving_value: tensor(kpDriving.values, [count, k, 2]),
      kp_driving_jacobian: tensor(kpDriving.jacobians, [count, k, 2, 2]),
    });
    const prediction = out['prediction'];
    // The frames go to the main thread by transfer, so they must own their buffer.
    const result: Prediction =
      prediction?.type === 'float16'
        ? { precision: 'fp16', data: owned(prediction.data as Uint16Array) }
        : { precision: 'fp32', data: owned(floatData(prediction)) };
    if (result.data.length !== count * 3 * width * height) {
      throw new EngineError(`generator returned ${result.data.length} values for ${count} frames of ${width}×${height}.`, { dir: this.model.dir });
    }
    return result;
  }

  /**
   * One batch of `count` plain grey frames through both networks, so that the
   * first real batch does not pay for onnxruntime's first-run work (memory
   * planning, arena growth, kernel selection). Returns its duration.
   */
  async warm(count: number): Promise<number> {
    const started = performance.now();
    const { width, height } = this.inputSize;
    const frames = new Float32Array(count * 3 * width * height).fill(0.5);
    const kp = await this.keypoints(frames, count);
    await this.generate(this.sharedSource ? frames.subarray(0, 3 * width * height) : frames, kp, kp, count);
    return performance.now() - started;
  }

  private run(session: ort.InferenceSession, feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType> {
    return this.guard ? this.guard.run(() => session.run(feeds)) : session.run(feeds);
  }

  async release(): Promise<void> {
    await Promise.allSettled([this.kp.release(), this.gen.release()]);
  }
}

function floatData(v: ort.OnnxValue | undefined): Float32Array {
  if (!v || !(v.data instanceof Float32Array)) {
    if (v?.type === 'float16') return float16ToFloat32(v.data as Uint16Array);
    throw new EngineError(`model output has type ${v?.type ?? 'none'}, expected float32`);
  }
  return v.data;
}

function owned<T extends Float32Array | Uint16Array>(view: T): T {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : (view.slice() as T);
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .find((l) => l.trim().length > 0)
      ?.trim()
      .slice(0, 300) ?? s
  );
}
