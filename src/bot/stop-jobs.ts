import type { BotContext } from './context.js';
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
    const page = ctx.store.history(userId, { guildId, limit: 50, cursor });
    for (const job of page.items) if (job.state === 'queued' || job.state === 'running') active.push(job.id);
    cursor = page.older;
  } while (cursor !== null);
  const edits: Promise<unknown>[] = [];
  for (const id of active) {
    const token = ctx.store.interactionToken(id);
    stopNotices.set(id, notice);
    if (ctx.store.requestCancel(id, userId) === 'cancel-requested') ctx.runner.cancel(id);
    // Its status message (queued, or animating with a Cancel button) says why it stopped; best effort.
    if (token !== null) {
      edits.push(restoreStopped(ctx.store, ctx.api, id, token).catch((e: unknown) => ctx.logger.warn('stop notice failed', { job: id, error: (e as Error).message })));
    }
  }
  await Promise.all(edits);
  const deadline = Date.now() + timeoutMs;
  while (active.some((id) => ctx.store.getJob(id)?.state === 'running') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // A status edit still on its way lands within Discord's request timeout; after that the notices are not needed.
  setTimeout(() => active.forEach((id) => stopNotices.delete(id)), 120_000).unref();
  return active;
}
