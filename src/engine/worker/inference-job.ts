import { CancelledError } from '../errors.js';
import { frameKeypoints, movementScale, normalizeKeypoints, type Keypoints, type NormalizeOptions } from '../keypoints/index.js';
import type { KeypointBatch, ModelRunner } from './model-runner.js';
import type { Requests, SerializedKeypoints } from './protocol.js';
import { repeatBatch, rgb24ToPlanar } from './tensor-layout.js';

/**
 * One animation inside the worker: the source image and its keypoints, the
 * driving reference (kp_driving_initial), and FOMM's normalize_kp applied to
 * every driving frame before the generator runs. Frames come and go as planar
 * tensors; the main thread converts them from and to RGB24 (and burns the
 * label) while the worker runs the next batch, so the models are not kept
 * waiting for that work.
 */
export class InferenceJob {
  private initial: Keypoints | null = null;
  private alpha = 1;
  private batchSource: { count: number; source: Float32Array } | null = null;
  private readonly cancelFlag: Int32Array;

  private constructor(
    private readonly runner: ModelRunner,
    private readonly source: Float32Array,
    readonly kpSource: SerializedKeypoints,
    readonly kpSourceMs: number,
    private readonly options: NormalizeOptions,
    cancelFlag: SharedArrayBuffer,
  ) {
    this.cancelFlag = new Int32Array(cancelFlag);
  }

  static async start(runner: ModelRunner, args: Requests['begin']['args']): Promise<InferenceJob> {
    const { width, height } = runner.inputSize;
    const source = rgb24ToPlanar(args.source, 1, width, height);
    const t = performance.now();
    const kp = await runner.keypoints(source, 1);
    const ms = performance.now() - t;
    return new InferenceJob(
      runner,
      source,
      { value: kp.values, jacobian: kp.jacobians },
      ms,
      { relative: args.relative, adaptScale: args.adaptScale },
      args.cancelFlag,
    );
  }

  /** Keypoints of a batch of driving frames (for choosing the best frame). */
  async keypoints(frames: Float32Array, count: number): Promise<Requests['keypoints']['result']> {
    this.throwIfCancelled();
    const t = performance.now();
    const kp = await this.runner.keypoints(frames, count);
    return { values: kp.values, jacobians: kp.jacobians, kpMs: performance.now() - t };
  }

  /** Sets kp_driving_initial; returns the movement scale α it implies. */
  setInitial(kp: SerializedKeypoints): number {
    this.initial = { value: kp.value, jacobian: kp.jacobian };
    this.alpha = this.options.adaptScale ? movementScale(this.kpSource, this.initial) : 1;
    return this.alpha;
  }

  /** frames: [N,3,H,W] driving frames → their keypoints, normalised, → the generated frames. */
  async generate(frames: Float32Array, count: number): Promise<Requests['generate']['result']> {
    this.throwIfCancelled();
    const k = this.runner.numKeypoints;
    let t = performance.now();
    const driving = await this.runner.keypoints(frames, count);
    const kpMs = performance.now() - t;
    if (!this.initial) this.setInitial(frameKeypoints(driving.values, driving.jacobians, k, 0));

    const normalized: KeypointBatch = { values: new Float32Array(count * k * 2), jacobians: new Float32Array(count * k * 4) };
    for (let n = 0; n < count; n++) {
      const kp = normalizeKeypoints(this.kpSource, frameKeypoints(driving.values, driving.jacobians, k, n), this.initial!, this.options, this.alpha);
      normalized.values.set(kp.value, n * k * 2);
      normalized.jacobians.set(kp.jacobian, n * k * 4);
    }
    const kpSource: KeypointBatch = { values: repeatBatch(this.kpSource.value, count), jacobians: repeatBatch(this.kpSource.jacobian, count) };

    t = performance.now();
    const prediction = await this.runner.generate(this.sourceBatch(count), kpSource, normalized, count);
    const generatorMs = performance.now() - t;
    return { prediction, count, kpMs, generatorMs, alpha: this.alpha };
  }

  /** The main thread set the job's cancel flag (a cancel, a time limit, a shutdown). */
  get cancelled(): boolean {
    return Atomics.load(this.cancelFlag, 0) !== 0;
  }

  /** The main thread sets the shared flag to skip batches still queued after a cancel. */
  private throwIfCancelled(): void {
    if (Atomics.load(this.cancelFlag, 0) !== 0) throw new CancelledError();
  }

  /** The source image for a generator batch: once when the generator shares it, else once per frame. */
  private sourceBatch(count: number): Float32Array {
    if (this.runner.sharedSource) return this.source;
    if (this.batchSource?.count !== count) this.batchSource = { count, source: repeatBatch(this.source, count) };
    return this.batchSource.source;
  }
}
