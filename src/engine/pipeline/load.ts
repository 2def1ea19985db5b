import { join, resolve } from 'node:path';
import type { Size } from '../media/crop.js';
import type { ProviderName } from '../model/execution-provider.js';
import type { InferenceWorker } from '../worker/inference-worker.js';
import type { Requests } from '../worker/protocol.js';
import { PROJECT_ROOT } from '../../version.js';
import type { EngineSettings, Job } from './job.js';

/** The built-in demo model, shipped with the project. */
export const DEFAULT_MODEL_DIR = join(PROJECT_ROOT, 'models', 'default');

export function defaultBatchSize(provider: ProviderName): number {
  return provider === 'cpu' ? 4 : 16;
}

/** The model as the worker loaded it, and what follows from it for the job. */
export interface LoadedModel {
  readonly loaded: Requests['load']['result'];
  /** The model folder, absolute. */
  readonly dir: string;
  /** The model's input size: what the photo and every driving frame are framed to. */
  readonly size: Size;
  readonly batchSize: number;
  readonly loadMs: number;
}

/** Stage 2: the model's sessions in the worker (kept from an earlier job when they are the same). */
export async function loadModel(worker: InferenceWorker, engine: EngineSettings, job: Job, framesTotal: number | null): Promise<LoadedModel> {
  job.report({ phase: 'loading', framesDone: 0, framesTotal, percent: null, fps: null, etaSeconds: null });
  const t = performance.now();
  const dir = resolve(job.options.model ?? DEFAULT_MODEL_DIR);
  const loaded = await worker.request('load', { modelDir: dir, device: engine.device, cpuThreads: engine.cpuThreads });
  const loadMs = performance.now() - t;
  if (!loaded.reused) {
    job.log.info('model loaded', {
      model: loaded.manifest.name,
      provider: loaded.provider,
      why: loaded.reason,
      rejected: loaded.rejected,
      loadMs: Math.round(loaded.loadMs),
    });
  }
  const batchSize = Math.max(1, Math.min(256, job.options.batchSize ?? defaultBatchSize(loaded.provider)));
  return { loaded, dir, size: loaded.manifest.inputSize, batchSize, loadMs };
}
