import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fitClipToLimit, InputError, type AnimateResult, type Engine, type FramingMode, type FramingNote } from '../engine/index.js';
import type { Job, ResultNote, Store } from '../store/index.js';
import type { Logger } from '../util/log.js';
import type { StopReason } from './failure-settlement.js';
import { UndeliverableError } from './failure-settlement.js';
import type { JobEvents } from './job-events.js';
import type { AttemptFiles, JobFiles } from './job-files.js';
import { MediaIntegrityError, MediaNotFoundError } from '../media/index.js';
import type { ModelCatalog } from './model-catalog.js';

/**
 * One attempt at one job, in named stages: prepare (the model and the job's folder) → animate (the engine, in
 * its worker thread) → fit (re-encode to the channel's upload limit) → record (complete, or discard a clip
 * cancelled as it finished). A stage that fails throws; the runner settles the failure (failure-settlement.ts).
 * While it runs, a heartbeat renews the lease and a deadline bounds it.
 */
export interface RunningJob {
  readonly job: Job;
  readonly leaseId: string;
  readonly controller: AbortController;
  /** Why the runner stopped it, if it did (set before the abort). */
  stopReason: StopReason | null;
  /** How far the generation is (0–1), for the heartbeat to record. */
  progress: number;
}

export interface JobDeps {
  readonly store: Store;
  readonly models: ModelCatalog;
  readonly files: JobFiles;
  readonly events: JobEvents;
  readonly heartbeatMs: number;
  readonly jobTimeoutMs: number;
  /** Upload limit assumed when the interaction did not report one. */
  readonly defaultUploadLimitBytes: number;
}

export async function runJob(deps: JobDeps, entry: RunningJob, engine: Engine, log: Logger): Promise<void> {
  const { job } = entry;
  const started = Date.now();
  log.info('job started', { attempt: job.attempts, model: job.model });
  deps.events.started(job.id);
  const modelDir = await prepare(deps, job);
  const files = await inputsHere(deps, job, log);
  try {
    const result = await animate(deps, entry, engine, modelDir, files);
    const bytes = await fit(deps, entry, result, files.output, log);
    await deps.files.shareResult(job.id, files);
    const clip = { files, bytes, durationSeconds: result.durationSeconds, notes: result.framing.notes };
    const kept = await record(deps, entry, clip, log);
    if (kept) log.info('job succeeded', { frames: result.frames, bytes, provider: result.provider, ms: Date.now() - started });
  } finally {
    await deps.files.release(job.id, files);
  }
}

/** The job's model (still installed?) and its inputs (still there?): the model's folder. */
async function prepare(deps: JobDeps, job: Job): Promise<string> {
  await deps.models.refresh();
  const model = deps.models.get(job.model);
  if (!model) throw new InputError('bad-model', `The model "${job.model}" is no longer installed on this bot.`);
  if (!job.source.path || !job.driving.path) throw new InputError('file-missing', 'The photo or video of this animation was deleted before it could run.');
  return model.dir;
}

/** The inputs on this host (fetched from the media store on a worker host) and where the clip goes. */
async function inputsHere(deps: JobDeps, job: Job, log: Logger): Promise<AttemptFiles> {
  try {
    const files = await deps.files.forAttempt(job);
    await mkdir(dirname(files.output), { recursive: true });
    if (files.fetched) log.info('inputs fetched from the media store', { bytes: job.source.bytes + job.driving.bytes });
    return files;
  } catch (e) {
    // Damaged or gone in storage: running again cannot help; the member is told to send it again.
    if (e instanceof MediaIntegrityError || e instanceof MediaNotFoundError) {
      log.error('stored inputs are damaged or gone', { error: e.message });
      throw new InputError('file-missing', 'The photo or video of this animation was damaged or lost in storage before it could run; please send it again.');
    }
    throw e;
  }
}

function animate(deps: JobDeps, entry: RunningJob, engine: Engine, modelDir: string, files: AttemptFiles): Promise<AnimateResult> {
  const { job, controller } = entry;
  return engine.animate({
    jobId: job.id,
    source: files.source,
    driving: files.driving,
    output: files.output,
    model: modelDir,
    mode: job.options['mode'] === 'absolute' ? 'absolute' : 'relative',
    bestFrame: bestFrameOption(job.options['bestFrame']),
    framing: framingOption(job.options['framing']),
    ...durationLimit(job.options['maxSeconds']),
    signal: controller.signal,
    onProgress: (p) => {
      if (p.percent !== null && p.phase === 'generating') entry.progress = p.percent / 100;
      deps.events.progress(job.id, p);
    },
  });
}

/** The clip within the upload limit of the place it was asked from, or UndeliverableError. */
async function fit(deps: JobDeps, entry: RunningJob, result: AnimateResult, output: string, log: Logger): Promise<number> {
  const limit = entry.job.attachmentLimitBytes ?? deps.defaultUploadLimitBytes;
  const clip = { limitBytes: limit, durationSeconds: result.durationSeconds, width: result.width, height: result.height, hasAudio: result.audio };
  const fitted = await fitClipToLimit(output, clip, entry.controller.signal);
  if (!fitted) throw new UndeliverableError(limit);
  if (fitted.attempts > 0) log.info('clip re-encoded to fit the upload limit', { limit, bytes: fitted.bytes, attempts: fitted.attempts });
  return fitted.bytes;
}

interface FinishedClip {
  readonly files: AttemptFiles;
  readonly bytes: number;
  readonly durationSeconds: number;
  readonly notes: readonly FramingNote[];
}

/** Records the clip; false when the job was cancelled as it finished (the clip is then discarded). */
async function record(deps: JobDeps, entry: RunningJob, clip: FinishedClip, log: Logger): Promise<boolean> {
  const done = await deps.store.complete(entry.job.id, entry.leaseId, {
    // Where the bot that queued it keeps the job's files (on another host, the clip is in the media store).
    path: clip.files.recordedOutput,
    bytes: clip.bytes,
    durationMs: Math.round(clip.durationSeconds * 1000),
    // The engine's framing notes, kept as data for the bot to word (no face found, a face lost for a while).
    notes: clip.notes.map(asResultNote),
  });
  if (done.state !== 'cancelled') return true;
  // Cancelled while the clip was being finished: it is not delivered, and not kept.
  await rm(clip.files.output, { force: true });
  await deps.files.dropResult(entry.job.id);
  log.info('job cancelled by its requester as it finished; the clip was discarded');
  return false;
}

/**
 * While a job runs: renews its lease every `heartbeatMs` (a lost lease, or a cancel asked through the store by
 * another process, stops it), and stops it at the time limit. Returns the function that ends both.
 */
export function watchJob(deps: JobDeps, entry: RunningJob, log: Logger): () => void {
  const { job, leaseId } = entry;
  let beating = false;
  const beat = setInterval(() => {
    if (beating) return; // the last one is still on its way (a slow database): one at a time
    beating = true;
    deps.store
      .heartbeat(job.id, leaseId, { progress: entry.progress })
      .then((hb) => {
        if (!hb.alive) stop(entry, 'lease-lost');
        else if (hb.cancelRequested && entry.stopReason === null) stop(entry, 'cancel');
      })
      .catch((e: unknown) => log.warn('heartbeat failed', { error: (e as Error).message }))
      .finally(() => (beating = false));
  }, deps.heartbeatMs);
  const deadline = setTimeout(() => {
    if (entry.stopReason === null) stop(entry, 'timeout');
  }, deps.jobTimeoutMs);
  return () => {
    clearTimeout(deadline);
    clearInterval(beat);
  };
}

export function stop(entry: RunningJob, reason: StopReason): void {
  entry.stopReason = reason;
  entry.controller.abort();
}

/** The server's duration limit when the job was queued (a header can understate a video's length; decoding cannot). */
function durationLimit(value: unknown): { limits?: { maxDurationSeconds: number } } {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? { limits: { maxDurationSeconds: value } } : {};
}

/** A framing note as the store keeps it (plain JSON). */
function asResultNote(note: FramingNote): ResultNote {
  return note.code === 'face-lost' ? { code: note.code, ranges: note.ranges.map((r) => ({ from: r.from, to: r.to })) } : { ...note };
}

/** A job queued before framing existed has none: auto, as the model was trained. */
function framingOption(value: unknown): FramingMode {
  return value === 'face' || value === 'whole' || value === 'centre' ? value : 'auto';
}

function bestFrameOption(value: unknown): 'off' | 'auto' | number {
  if (value === 'auto') return 'auto';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  return 'off';
}
