import type { AnimateProgress } from '../../engine/options.js';
import type { Store } from '../../store/index.js';
import type { Logger } from '../../util/log.js';
import { cancelRow } from '../discord/components.js';
import type { DiscordApi } from '../discord/api.js';
import { botMessages } from '../messages/bot.js';

/**
 * Shows a running job's progress in its status message (the interaction's
 * original reply): at most one edit per interval per job, never two at once,
 * and only while the interaction token is alive (the store stops handing it
 * out 15 minutes after the command, minus a safety margin).
 */
export class ProgressReporter {
  private readonly last = new Map<string, number>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly api: DiscordApi,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  update(jobId: string, progress: AnimateProgress): void {
    if (progress.phase !== 'generating' && progress.phase !== 'reference' && progress.phase !== 'framing') return;
    const t = this.now();
    if (this.busy.has(jobId) || t - (this.last.get(jobId) ?? 0) < this.intervalMs) return;
    this.last.set(jobId, t);
    this.busy.add(jobId);
    void this.show(jobId, progress, t)
      .catch((e: unknown) => this.logger.warn('progress edit failed', { job: jobId, error: (e as Error).message }))
      .finally(() => this.busy.delete(jobId));
  }

  /** One status edit (at most one per job at a time: `busy`), unless the job is stopping or its token is spent. */
  private async show(jobId: string, progress: AnimateProgress, t: number): Promise<void> {
    if (await isStopping(this.store, jobId)) return;
    const token = await this.store.interactionToken(jobId);
    if (!token) return;
    const eta = progress.etaSeconds === null ? null : t + progress.etaSeconds * 1000;
    await this.api.editOriginal(token, { content: botMessages.running(progress.percent, eta, progress.phase), components: [cancelRow(jobId)] });
    await restoreStopped(this.store, this.api, jobId, token);
  }

  /** The job started: say so at once. */
  started(jobId: string): void {
    this.last.delete(jobId);
    this.update(jobId, { phase: 'generating', framesDone: 0, framesTotal: null, percent: 0, fps: null, etaSeconds: null });
  }

  forget(jobId: string): void {
    this.last.delete(jobId);
  }
}

/**
 * Why a job was stopped by someone other than its requester (/forget-me, a purge), by job id: its status message
 * says that rather than the plain cancellation (stop-jobs.ts sets and later clears the entries).
 */
export const stopNotices = new Map<string, string>();

/** Cancelled, or asked to stop: its status message must not show progress or a Cancel button any more. */
export async function isStopping(store: Store, jobId: string): Promise<boolean> {
  const job = await store.getJob(jobId);
  return job === null || job.state === 'cancelled' || job.cancelRequestedMs !== null;
}

/**
 * Shows a stopped job's status: its stop notice, else the cancellation. Called when a job is stopped, and after any
 * status edit has landed: if the job was cancelled while that edit was on its way (a Cancel click, /forget-me, a
 * moderator's purge), the edit has just overwritten the stopped status with progress and a live Cancel button.
 */
export async function restoreStopped(store: Store, api: DiscordApi, jobId: string, token: string): Promise<void> {
  if (await isStopping(store, jobId)) await api.editOriginal(token, { content: stopNotices.get(jobId) ?? botMessages.cancelled, components: [] });
}
