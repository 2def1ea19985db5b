/**
 * A job's stored bytes, wherever they are: its files on this host's disk (files.ts) and, when workers run on other
 * hosts, its objects in the media store (src/media: the photo, the video and the clip in PostgreSQL). Deleting a
 * job (history, forget-me, a purge) or expiring it (retention) removes both.
 */
import type { StoreContext } from './context.js';
import { removeJobFiles } from './files.js';

/** Removes a job's files (verified) and its media objects; returns how many went. */
export async function removeJobStorage(ctx: StoreContext, jobId: string, paths: readonly (string | null)[]): Promise<number> {
  const files = removeJobFiles(ctx.dataDir, jobId, paths);
  return files + (ctx.media === null ? 0 : await ctx.media.deleteJob(jobId));
}
