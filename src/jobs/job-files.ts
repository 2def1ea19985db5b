/**
 * Where a job's files are for this process. On one machine they are where the bot downloaded them (the paths in
 * the job's row). With workers on other hosts, the media store (src/media, PostgreSQL) carries them: the bot stores
 * the inputs before the job is queued, a worker that lacks them fetches them into its own data folder and stores
 * the clip before the job completes, and the bot fetches the clip to post it. Every transfer is verified (sizes,
 * SHA-256): a damaged object fails the job or the delivery with MediaIntegrityError, never a broken clip. Every
 * transfer here can be repeated (a put replaces, a fetch rewrites its file, a delete is idempotent), so one the
 * database dropped (a restart) is tried again while it is unreachable, up to the store's usual wait.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { mediaKey, type MediaStore } from '../media/index.js';
import { DEFAULT_UNREACHABLE_RETRY_MS, isConnectionFailure, whileUnreachable, type Job } from '../store/index.js';

/** The files of one attempt on this host; `release` drops what was fetched for it. */
export interface AttemptFiles {
  readonly source: string;
  readonly driving: string;
  /** Where the engine writes the clip. */
  readonly output: string;
  /** Where the job's row records the clip: the job's folder as the bot that queued it sees it. */
  readonly recordedOutput: string;
  /** Whether the inputs were fetched from the media store (this host is not the bot's). */
  readonly fetched: boolean;
}

export const RESULT_FILE = 'result.mp4';

export class JobFiles {
  constructor(
    /** This process's job folder for a job id (the store's jobDirectory). */
    private readonly folderOf: (jobId: string) => string,
    /** null: one machine, the files are on this disk. */
    readonly media: MediaStore | null,
    private readonly unreachableRetryMs = DEFAULT_UNREACHABLE_RETRY_MS,
  ) {}

  /** One media-store transfer, repeated while the database is unreachable. */
  private again<T>(fn: (media: MediaStore) => Promise<T>): Promise<T> {
    const media = this.media!;
    return whileUnreachable(() => fn(media), { budgetMs: this.unreachableRetryMs, retryable: isConnectionFailure });
  }

  /** Whether jobs' bytes travel through the media store. */
  get shared(): boolean {
    return this.media !== null;
  }

  /** The bot, before queueing: the downloaded inputs go to the media store, refused unless they are the bytes it checked. */
  async shareInputs(jobId: string, photo: LocalInput, video: LocalInput): Promise<void> {
    if (this.media === null) return;
    await this.again((m) => m.put(mediaKey(jobId, 'photo'), { path: photo.path }, { expectedBytes: photo.bytes, expectedSha256: photo.sha256 }));
    await this.again((m) => m.put(mediaKey(jobId, 'driving'), { path: video.path }, { expectedBytes: video.bytes, expectedSha256: video.sha256 }));
  }

  /** The bot, when a command was not queued after all: its stored inputs go. */
  async discard(jobId: string): Promise<void> {
    if (this.media !== null) await this.again((m) => m.deleteJob(jobId));
  }

  /** A worker, before running: the inputs on this host (fetched when they are not here), and where the clip goes. */
  async forAttempt(job: Job): Promise<AttemptFiles> {
    const source = job.source.path!;
    const driving = job.driving.path!;
    const recordedOutput = join(dirname(source), RESULT_FILE);
    const folder = this.folderOf(job.id);
    // The files are this process's when they are in its own data folder (the bot's threads, or a worker sharing the
    // bot's folder on its host); a worker with a data folder of its own is treated as another host's, and fetches.
    if (this.media === null || (dirname(source) === folder && existsSync(source) && existsSync(driving))) {
      return { source, driving, output: recordedOutput, recordedOutput, fetched: false };
    }
    await mkdir(folder, { recursive: true });
    const here = { source: join(folder, basename(source)), driving: join(folder, basename(driving)) };
    await this.again((m) => m.readToFile(mediaKey(job.id, 'photo'), here.source));
    await this.again((m) => m.readToFile(mediaKey(job.id, 'driving'), here.driving));
    return { ...here, output: join(folder, RESULT_FILE), recordedOutput, fetched: true };
  }

  /** A worker, once the clip is final: stored for whichever bot process delivers it. */
  async shareResult(jobId: string, files: AttemptFiles): Promise<void> {
    if (this.media !== null) await this.again((m) => m.put(mediaKey(jobId, 'result'), { path: files.output }));
  }

  /** A worker, when the job was cancelled as it finished: the stored clip goes. */
  async dropResult(jobId: string): Promise<void> {
    if (this.media !== null) await this.again((m) => m.delete(mediaKey(jobId, 'result')));
  }

  /** A worker, after the attempt: the copies it fetched go (the bot's own files are never touched). */
  async release(jobId: string, files: AttemptFiles | null): Promise<void> {
    if (files?.fetched) await rm(this.folderOf(jobId), { recursive: true, force: true });
  }

  /** The finished clip's size, from its file here or the media store's record (no bytes are fetched); null when it is gone. */
  async resultBytes(job: Job): Promise<number | null> {
    const recorded = job.output?.path ?? null;
    if (recorded === null) return null;
    const here = await stat(recorded).then(
      (s) => s.size,
      () => null,
    );
    if (here !== null || this.media === null) return here;
    return (await this.again((m) => m.stat(mediaKey(job.id, 'result'))))?.bytes ?? null;
  }

  /** The bot, to post or show a finished clip: its file on this host, fetched from the media store when it is not here. */
  async localResult(job: Job): Promise<string> {
    const recorded = job.output!.path!;
    if (this.media === null || existsSync(recorded)) return recorded;
    // Into this process's own job folder (a bot process on another host may keep its data elsewhere).
    const folder = this.folderOf(job.id);
    const path = dirname(recorded) === folder ? recorded : join(folder, RESULT_FILE);
    if (existsSync(path)) return path;
    await mkdir(folder, { recursive: true });
    await this.again((m) => m.readToFile(mediaKey(job.id, 'result'), path));
    return path;
  }
}

export interface LocalInput {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}
