import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { silentLogger, type Logger } from '../util/log.js';
import { DEFAULT_MODEL_DIR, defaultBatchSize, runAnimation } from './animate.js';
import type { DeviceRequest, ProviderName } from './model/execution-provider.js';
import type { ModelManifest } from './model/manifest.js';
import type { AnimateOptions, AnimateResult, EngineOptions } from './options.js';
import { InferenceWorker } from './worker/inference-worker.js';

/**
 * The engine as a library: one inference worker whose model sessions are
 * loaded once and reused, and an `animate` call per job. Jobs run one at a
 * time per engine (one engine per GPU); a worker that died (crash, out of
 * memory) is replaced on the next call.
 *
 *   const engine = new Engine({ device: 'auto' });
 *   const result = await engine.animate({ source, driving, output, onProgress, signal });
 *   await engine.dispose();
 */
export class Engine {
  private worker: InferenceWorker | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly device: DeviceRequest;
  private readonly cpuThreads: number;
  private readonly logger: Logger;
  private readonly niceness: number;
  private disposed = false;

  constructor(options: EngineOptions = {}) {
    this.device = options.device ?? 'auto';
    this.cpuThreads = options.cpuThreads ?? cpus().length;
    this.logger = options.logger ?? silentLogger;
    this.niceness = options.niceness ?? 0;
  }

  /**
   * Loads a model ahead of the first job (sessions are created and kept) and,
   * unless `inference` is false, runs one batch of the default size through it
   * so the first job does not pay onnxruntime's first-run costs.
   */
  async warmUp(
    modelDir: string = DEFAULT_MODEL_DIR,
    options: { inference?: boolean; batchSize?: number } = {},
  ): Promise<{ provider: ProviderName; manifest: ModelManifest; loadMs: number; warmMs: number }> {
    return this.serial(async () => {
      const worker = this.liveWorker();
      const r = await worker.request('load', { modelDir: resolve(modelDir), device: this.device, cpuThreads: this.cpuThreads });
      const count = options.batchSize ?? defaultBatchSize(r.provider);
      const warmMs = options.inference === false ? 0 : (await worker.request('warm', { count })).warmMs;
      this.logger.info('engine warmed up', {
        model: r.manifest.name,
        provider: r.provider,
        why: r.reason,
        rejected: r.rejected,
        loadMs: Math.round(r.loadMs),
        warmMs: Math.round(warmMs),
      });
      return { provider: r.provider, manifest: r.manifest, loadMs: r.loadMs, warmMs };
    });
  }

  animate(options: AnimateOptions): Promise<AnimateResult> {
    return this.serial(() => runAnimation(this.liveWorker(), { device: this.device, cpuThreads: this.cpuThreads, logger: this.logger }, options));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.queue.catch(() => undefined);
    await this.worker?.terminate();
    this.worker = null;
  }

  private liveWorker(): InferenceWorker {
    if (this.disposed) throw new Error('the engine has been disposed');
    if (!this.worker?.alive) {
      if (this.worker) this.logger.warn('inference worker replaced after it stopped');
      this.worker = new InferenceWorker({ niceness: this.niceness });
    }
    return this.worker;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** One-shot convenience: a fresh engine for a single animation. */
export async function animate(options: AnimateOptions & EngineOptions): Promise<AnimateResult> {
  const engine = new Engine(options);
  try {
    return await engine.animate(options);
  } finally {
    await engine.dispose();
  }
}
