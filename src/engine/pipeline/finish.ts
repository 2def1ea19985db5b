import type { AnimateResult } from '../options.js';
import type { CheckedInputs } from './check.js';
import type { Generated } from './generate.js';
import type { Job } from './job.js';
import type { LoadedModel } from './load.js';
import type { JobFraming } from './frame.js';
import type { JobResources } from './output.js';
import type { PreparedPhoto } from './prepare.js';
import type { Reference } from './reference.js';

/** Everything the earlier stages learnt, for the result. */
export interface JobRecord {
  readonly inputs: CheckedInputs;
  readonly model: LoadedModel;
  readonly photo: PreparedPhoto;
  readonly framing: JobFraming;
  readonly reference: Reference;
  readonly generated: Generated;
  readonly withAudio: boolean;
}

/** Stage 7: the encoder finishes (the file moves into place), and the result says what was made and how long each stage took. */
export async function finishJob(job: Job, held: JobResources, r: JobRecord): Promise<AnimateResult> {
  const { generated, model, inputs, reference } = r;
  job.report({ ...generated.meter.snapshot(), phase: 'finishing' });
  const timings = generated.timings;
  const w = performance.now();
  const written = await held.encoder!.finish();
  held.encoder = null;
  timings.encodeWaitMs += performance.now() - w;
  const frameCount = generated.meter.snapshot().framesDone;
  const fps = inputs.video.stream.frameRate!;
  const fpsValue = fps.num / fps.den;
  const lastAlpha = generated.lastAlpha ?? reference.alpha ?? 1;
  const { loaded } = model;
  const result: AnimateResult = {
    output: written.path,
    format: job.format,
    bytes: written.bytes,
    frames: frameCount,
    fps: fpsValue,
    durationSeconds: frameCount / fpsValue,
    width: r.framing.output.width,
    height: r.framing.output.height,
    model: { name: loaded.manifest.name, dir: model.dir },
    provider: loaded.provider,
    providerChoice: { reason: loaded.reason, passedOver: loaded.rejected },
    mode: job.mode,
    referenceFrame: reference.index,
    movementScale: job.mode === 'relative' ? lastAlpha : 1,
    audio: r.withAudio,
    label: job.options.label ?? true,
    framing: r.framing.report,
    timings: {
      probeMs: inputs.probeMs,
      loadMs: model.loadMs,
      photoMs: r.photo.photoMs,
      referenceMs: reference.referenceMs,
      framingMs: r.framing.report.framingMs,
      ...timings,
      totalMs: performance.now() - job.started,
    },
  };
  job.log.info('animation done', { frames: result.frames, bytes: result.bytes, provider: result.provider, totalMs: Math.round(result.timings.totalMs) });
  return result;
}
