import type { HistoryPage } from '../../store/index.js';
import type { BotContext } from '../app/context.js';
import { restoreStopped, stopNotices } from './progress-reporter.js';

/**
 * Before a user's jobs are deleted (forget-me, a moderator's purge): cancels
 * their queued jobs and stops their running ones, replaces their status messages
 * with `notice` (no Cancel button left to press), and waits (up to `timeoutMs`)
 * until none is running, so no worker writes a file after the deletion. A job
 * run by another process stops at its next heartbeat; if it has not stopped in
 * time the store's deletion still takes its lease away.
 */
export async function stopJobsOf(ctx: BotContext, userId: string, guildId: string | null, notice: string, timeoutMs = 15_000): Promise<string[]> {
  const active: string[] = [];
  let cursor: string | null = null;
  do {
    const page: HistoryPage = await ctx.store.history(userId, { guildId, limit: 50, cursor });
    for (const job of page.items) if (job.state === 'queued' || job.state === 'running') active.push(job.id);
    cursor = page.older;
  } while (cursor !== null);
  const edits: Promise<unknown>[] = [];
  for (const id of active) {
    const token = await ctx.store.interactionToken(id);
    keepStopNotice(id, notice); // before the cancel: a status edit landing right after it is followed by the notice
    if ((await ctx.store.requestCancel(id, userId)) === 'cancel-requested') ctx.runner.cancel(id);
    edits.push(showStopNotice(ctx, id, token));
  }
  await Promise.all(edits);
  const deadline = Date.now() + timeoutMs;
  const stillRunning = async () => (await Promise.all(active.map((id) => ctx.store.getJob(id)))).some((j) => j?.state === 'running');
  while ((await stillRunning()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return active;
}

/**
 * Why a job was stopped or deleted by its owner's or a moderator's action, kept for two minutes: a status edit still
 * on its way (those land within Discord's request timeout) is followed by it (restoreStopped).
 */
export function keepStopNotice(jobId: string, notice: string): void {
  stopNotices.set(jobId, notice);
  setTimeout(() => stopNotices.delete(jobId), 120_000).unref();
}

/** A stopped job's status message (queued, or animating with a Cancel button) shows its kept notice now; best effort. */
export async function showStopNotice(ctx: BotContext, jobId: string, token: string | null): Promise<void> {
  if (token === null) return;
  await restoreStopped(ctx.store, ctx.api, jobId, token).catch((e: unknown) =>
    ctx.logger.warn('stop notice failed', { job: jobId, error: (e as Error).message }),
  );
}
