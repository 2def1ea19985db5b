import { decodePhoto, decodePhotoWith } from '../media/decode.js';
import type { CheckedInputs } from './check.js';
import type { Job } from './job.js';
import type { JobFraming } from './frame.js';
import type { LoadedModel } from './load.js';

/** The photo as the model sees it. */
export interface PreparedPhoto {
  /** Packed RGB24 at the model's input size, framed by the job's crop rule. */
  readonly rgb: Uint8Array;
  /** With paste-back: the photo at the clip's size (RGB24), which each generated frame is pasted into. */
  readonly backdrop: Uint8Array | null;
  readonly photoMs: number;
}

/** Stage 3: the photo decoded and framed for the model. */
export async function preparePhoto(job: Job, inputs: CheckedInputs, model: LoadedModel, framing: JobFraming): Promise<PreparedPhoto> {
  const t = performance.now();
  const { source } = job.options;
  const pasted = framing.pasteRegion !== null;
  // Pasted back, the model's view must sit exactly where it came from: cropped to the pixel, in RGB.
  const rgb = await decodePhoto(source, inputs.photoInfo, model.size, framing.photoRule, job.signal, pasted);
  const { width, height } = framing.output;
  const backdrop = pasted
    ? await decodePhotoWith(source, inputs.photoInfo, framing.output, () => [`scale=${width}:${height}:flags=lanczos`, 'setsar=1'], job.signal)
    : null;
  return { rgb, backdrop, photoMs: performance.now() - t };
}
