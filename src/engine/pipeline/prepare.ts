import { decodePhoto } from '../media/decode.js';
import type { CheckedInputs } from './check.js';
import type { Job } from './job.js';
import type { LoadedModel } from './load.js';

/** The photo as the model sees it. */
export interface PreparedPhoto {
  /** Packed RGB24 at the model's input size, framed by the job's crop rule. */
  readonly rgb: Uint8Array;
  readonly photoMs: number;
}

/** Stage 3: the photo decoded and framed for the model. */
export async function preparePhoto(job: Job, inputs: CheckedInputs, model: LoadedModel): Promise<PreparedPhoto> {
  const t = performance.now();
  const rgb = await decodePhoto(job.options.source, inputs.photoInfo, model.size, job.crop, job.signal);
  return { rgb, photoMs: performance.now() - t };
}
