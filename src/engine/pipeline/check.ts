import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { checkPhoto, checkVideo, type CheckedVideo } from '../media/media-checks.js';
import type { MediaInfo } from '../media/media-info.js';
import { probeMedia } from '../media/probe.js';
import { throwIfAborted, type Job } from './job.js';

/** The inputs as probed and accepted: both files' streams, and the video's frame estimate. */
export interface CheckedInputs {
  readonly photoInfo: MediaInfo;
  readonly videoInfo: MediaInfo;
  readonly video: CheckedVideo;
  readonly probeMs: number;
}

/** Stage 1, before any heavy work: the output can be written, and both inputs are what they claim within the limits. */
export async function checkJob(job: Job): Promise<CheckedInputs> {
  throwIfAborted(job.signal);
  await checkOutputPath(job);
  job.report({ phase: 'checking', framesDone: 0, framesTotal: null, percent: null, fps: null, etaSeconds: null });
  const t = performance.now();
  const [photoInfo, videoInfo] = await Promise.all([
    probeMedia(job.options.source, 'photo', job.limits, job.signal),
    probeMedia(job.options.driving, 'video', job.limits, job.signal),
  ]);
  checkPhoto(photoInfo, job.limits);
  const video = checkVideo(videoInfo, job.limits);
  const probeMs = performance.now() - t;
  checkBestFrame(job.options.bestFrame);
  return { photoInfo, videoInfo, video, probeMs };
}

async function checkOutputPath(job: Job): Promise<void> {
  if ([resolve(job.options.source), resolve(job.options.driving)].includes(job.output)) {
    throw new InputError('bad-option', 'The output file must not be the photo or the driving video itself.');
  }
  const outDir = await stat(dirname(job.output)).catch(() => null);
  if (!outDir?.isDirectory()) {
    throw new InputError('bad-option', 'The output file cannot be written: its folder does not exist.', { output: job.output });
  }
}

export function checkBestFrame(bestFrame: unknown): void {
  if (typeof bestFrame === 'number' && (!Number.isInteger(bestFrame) || bestFrame < 0)) {
    throw new InputError('bad-option', 'The best frame must be "off", "auto" or a frame number from 0.');
  }
}
