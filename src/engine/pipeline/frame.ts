import type { Box } from '../framing/box.js';
import { roundBox } from '../framing/box.js';
import { followVideoFace, findPhotoFaces, type DetectorContext } from '../framing/find-faces.js';
import { MIN_FACE_SIDE, chooseFraming, choosePhotoRegion, chooseVideoRegion, regionFor, type InputChoice } from '../framing/framing-plan.js';
import { resolveOutputSize, type OutputSize } from '../framing/output-size.js';
import type { FramingReport } from '../framing/report.js';
import { centredCrop, regionRule, type CropRule, type Size } from '../media/crop.js';
import { photoOrientation } from '../media/decode.js';
import { ProgressMeter } from '../progress.js';
import type { InferenceWorker } from '../worker/inference-worker.js';
import type { CheckedInputs } from './check.js';
import type { EngineSettings, Job } from './job.js';
import type { LoadedModel } from './load.js';

/** How the job frames its inputs and what size the clip is, for the stages after it. */
export interface JobFraming {
  readonly photoRule: CropRule;
  readonly videoRule: CropRule;
  /** The clip's frame size. */
  readonly output: Size;
  /** Where the generated square goes back into the photo (photo pixels), or null for the raw square. */
  readonly pasteRegion: Box | null;
  readonly report: FramingReport;
}

/**
 * Stage 3 (framing): as the model's training data was framed — faces (the photo's largest; one crop for the
 * whole video from a streaming pass), the whole subject fitted in the square, or the centred square — with the
 * clip at the photo's size (pasted back) or the model's.
 */
export async function frameJob(worker: InferenceWorker, engine: EngineSettings, job: Job, inputs: CheckedInputs, model: LoadedModel): Promise<JobFraming> {
  const started = performance.now();
  const target = model.size;
  const requested = job.options.framing ?? 'auto';
  const modelFraming = model.loaded.manifest.framing ?? 'centre';
  const used = chooseFraming(requested, modelFraming, job.options.crop !== undefined);
  const { shown: photoSize } = await photoOrientation(job.options.source, inputs.photoInfo);
  const stream = inputs.videoInfo.video!;
  const videoSize: Size = { width: stream.width, height: stream.height };
  const found = used === 'face' ? await findFaces(worker, engine, job, inputs, photoSize) : null;
  const photoChoice: InputChoice = found ? choosePhotoRegion(found.photoFaces, photoSize, target) : plainChoice(used, job, photoSize, target);
  const videoChoice: InputChoice = found ? chooseVideoRegion(found.video.track, videoSize, target) : plainChoice(used, job, videoSize, target);
  const outputSetting: OutputSize = job.options.outputSize ?? (used === 'centre' || used === 'custom' ? 'model' : 'photo');
  const output = resolveOutputSize(outputSetting, photoSize, target);
  const pasteRegion = outputSetting === 'model' ? null : photoChoice.region;
  const report = framingReport({
    requested,
    modelFraming,
    found,
    photoChoice,
    videoChoice,
    photoSize,
    videoSize,
    output,
    pasted: pasteRegion !== null,
    started,
  });
  if (report.notes.length > 0) job.log.info('framing notes', { notes: report.notes });
  return { photoRule: ruleFor(photoChoice, job, photoSize), videoRule: ruleFor(videoChoice, job, videoSize), output, pasteRegion, report };
}

interface ReportParts {
  readonly requested: FramingReport['requested'];
  readonly modelFraming: FramingReport['model'];
  readonly found: Awaited<ReturnType<typeof findFaces>> | null;
  readonly photoChoice: InputChoice;
  readonly videoChoice: InputChoice;
  readonly photoSize: Size;
  readonly videoSize: Size;
  readonly output: Size;
  readonly pasted: boolean;
  readonly started: number;
}

function framingReport(p: ReportParts): FramingReport {
  const track = p.found?.video.track;
  return {
    requested: p.requested,
    model: p.modelFraming,
    photo: { used: p.photoChoice.used, size: p.photoSize, faces: (p.found?.photoFaces ?? []).map(roundBox), crop: p.photoChoice.region },
    video: {
      used: p.videoChoice.used,
      size: p.videoSize,
      firstFace: track?.first ? roundBox(track.first) : null,
      faceUnion: track?.union ? roundBox(track.union) : null,
      framesLookedAt: track?.framesLookedAt ?? 0,
      framesWithFace: track?.framesWithFace ?? 0,
      every: p.found?.video.every ?? 0,
      crop: p.videoChoice.region,
    },
    output: { width: p.output.width, height: p.output.height, pasteBack: p.pasted },
    notes: [...p.photoChoice.notes, ...p.videoChoice.notes],
    framingMs: performance.now() - p.started,
  };
}

async function findFaces(worker: InferenceWorker, engine: EngineSettings, job: Job, inputs: CheckedInputs, photoSize: Size) {
  const ctx: DetectorContext = { worker, cpuThreads: engine.cpuThreads, signal: job.signal };
  const meter = new ProgressMeter('framing', inputs.video.estimatedFrames);
  job.report(meter.snapshot());
  const photoFaces = await findPhotoFaces(ctx, job.options.source, inputs.photoInfo, photoSize, MIN_FACE_SIDE);
  const video = await followVideoFace(ctx, job.options.driving, inputs.videoInfo, job.limits, (n) => job.report(meter.advance(n)));
  return { photoFaces, video };
}

function plainChoice(used: 'whole' | 'centre' | 'custom' | 'face', job: Job, frame: Size, target: Size): InputChoice {
  if (used === 'custom') return { used, region: job.options.crop!(frame, target), notes: [] };
  return { used: used === 'whole' ? 'whole' : 'centre', region: regionFor(used === 'whole' ? 'whole' : 'centre', frame, target), notes: [] };
}

/** The crop rule the decoders use: today's centred rule (re-evaluated by ffmpeg at every frame size) where centred. */
function ruleFor(choice: InputChoice, job: Job, frame: Size): CropRule {
  if (choice.used === 'custom') return job.options.crop!;
  if (choice.used === 'centre') return centredCrop;
  return regionRule(choice.region, frame);
}
