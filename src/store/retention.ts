/**
 * The sweeper. Run it periodically (e.g. every 10 minutes) and at start-up:
 * - deletes inputs and outputs of finished jobs older than their guild's
 *   retention and keeps the row as a tombstone (expired_ms set, paths cleared,
 *   hashes kept), so history can tell the user it expired;
 * - deletes interaction tokens that can no longer be used;
 * - drops rate_ledger entries that no longer count (older than 24 h);
 * - removes job directories that have no job row (refused or abandoned
 *   downloads, output written after a job was deleted), once they are older
 *   than config.orphanGraceMs.
 * Files are removed (and verified) before the row is marked, so a crash in
 * between only means the next sweep marks it. A job whose files cannot be
 * removed is reported and passed over (the next sweep tries again); it never
 * holds up the others, the token clean-up or the ledger.
 * Last, the database is scrubbed (SQLite: the WAL is checkpointed and truncated,
 * so deleted rows do not linger in the -wal file; secure_delete zeroes the file).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS } from './clock.js';
import { write, type StoreContext } from './context.js';
import { clearExpiredConsentWaits } from './consent-waits.js';
import { clearExpiredTokens } from './delivery.js';
import { JOBS_DIR, removeTree } from './files.js';
import { removeJobStorage } from './job-storage.js';
import { DEFAULT_GUILD_SETTINGS } from './guild-settings.js';
import { isJobId } from './ids.js';
import type { JobRow } from './job-record.js';
import { indexedBy, type Sql } from './sql/sql.js';

export interface SweepReport {
  readonly expired: number;
  readonly filesRemoved: number;
  readonly tokensCleared: number;
  readonly ledgerPruned: number;
  readonly orphanDirsRemoved: number;
  /** Jobs (or orphan folders) whose files could not be removed this time, with why; at most 20. */
  readonly failures: ReadonlyArray<{ readonly jobId: string; readonly error: string }>;
}

const MAX_REPORTED_FAILURES = 20;
type Failures = Array<{ jobId: string; error: string }>;
/** Where a batch stopped: rows are paged by (finished_ms, seq), so rows passed over are not selected again. */
type Cursor = { readonly finishedMs: number; readonly seq: number };

/** Unexpired finished jobs past their server's retention, in (finished_ms, seq) order, by the partial index of unexpired jobs. */
export const EXPIRE_BATCH_SQL = (sql: Sql): string => `SELECT j.* FROM jobs j${indexedBy(sql, 'jobs_unexpired')}
       LEFT JOIN guild_settings g ON g.guild_id = j.guild_id
       WHERE j.expired_ms IS NULL AND j.state IN ('succeeded', 'failed', 'cancelled')
         AND j.finished_ms <= CAST(? AS BIGINT) - COALESCE(g.retention_days, ?) * CAST(? AS BIGINT)
         AND (j.finished_ms, j.seq) > (CAST(? AS BIGINT), CAST(? AS BIGINT))
       ORDER BY j.finished_ms, j.seq LIMIT ?`;

async function expireBatch(
  ctx: StoreContext,
  batch: number,
  after: Cursor,
  failures: Failures,
): Promise<{ selected: number; expired: number; filesRemoved: number; next: Cursor }> {
  const now = ctx.clock.now();
  const rows = await ctx.sql.all<JobRow>(EXPIRE_BATCH_SQL(ctx.sql), [now, DEFAULT_GUILD_SETTINGS.retentionDays, DAY_MS, after.finishedMs, after.seq, batch]);
  let filesRemoved = 0;
  const removed: JobRow[] = [];
  for (const r of rows) {
    try {
      filesRemoved += await removeJobStorage(ctx, r.id, [r.source_path, r.driving_path, r.output_path]);
      removed.push(r);
    } catch (e) {
      if (failures.length < MAX_REPORTED_FAILURES) failures.push({ jobId: r.id, error: (e as Error).message });
    }
  }
  await write(ctx, [], async (tx) => {
    for (const r of removed) {
      await tx.sql.run(
        'UPDATE jobs SET expired_ms = ?, source_path = NULL, driving_path = NULL, output_path = NULL, updated_ms = ? WHERE seq = ? AND expired_ms IS NULL',
        [now, now, r.seq],
      );
      await tx.sql.run('DELETE FROM interaction_tokens WHERE job_seq = ?', [r.seq]);
    }
  });
  const last = rows.at(-1);
  return { selected: rows.length, expired: removed.length, filesRemoved, next: last ? { finishedMs: last.finished_ms ?? 0, seq: last.seq } : after };
}

async function removeOrphans(ctx: StoreContext, failures: Failures): Promise<number> {
  const root = join(ctx.dataDir, JOBS_DIR);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0;
  }
  const cutoff = ctx.clock.now() - ctx.config.orphanGraceMs;
  let removed = 0;
  for (const name of names) {
    if (!isJobId(name)) continue;
    if ((await ctx.sql.value('SELECT 1 FROM jobs WHERE id = ?', [name])) !== undefined) continue;
    try {
      if (statSync(join(root, name)).mtimeMs > cutoff) continue;
      removeTree(ctx.dataDir, join(root, name));
      removed += 1;
    } catch (e) {
      // Gone meanwhile, or not removable: reported, and tried again next time.
      if (failures.length < MAX_REPORTED_FAILURES) failures.push({ jobId: name, error: (e as Error).message });
    }
  }
  return removed + (await removeMediaOrphans(ctx, cutoff, failures));
}

/** The media objects of jobs that have no row (a command that stopped between storing its inputs and queueing them). */
async function removeMediaOrphans(ctx: StoreContext, cutoff: number, failures: Failures): Promise<number> {
  if (ctx.media === null) return 0;
  let removed = 0;
  for (const jobId of await ctx.media.jobsStoredBefore(cutoff)) {
    if ((await ctx.sql.value('SELECT 1 FROM jobs WHERE id = ?', [jobId])) !== undefined) continue;
    try {
      await ctx.media.deleteJob(jobId);
      removed += 1;
    } catch (e) {
      if (failures.length < MAX_REPORTED_FAILURES) failures.push({ jobId, error: (e as Error).message });
    }
  }
  return removed;
}

export async function sweep(ctx: StoreContext, opts: { batch?: number } = {}): Promise<SweepReport> {
  const batch = opts.batch ?? 200;
  // Tokens and the ledger first: nothing below can keep them from being pruned.
  const { tokensCleared, ledgerPruned } = await write(ctx, [], async (tx) => ({
    tokensCleared: (await clearExpiredTokens(tx)) + (await clearExpiredConsentWaits(tx)),
    ledgerPruned: (await tx.sql.run('DELETE FROM rate_ledger WHERE created_ms <= ?', [tx.clock.now() - DAY_MS])).changes,
  }));
  const failures: Failures = [];
  let expired = 0;
  let filesRemoved = 0;
  let cursor: Cursor = { finishedMs: Number.MIN_SAFE_INTEGER, seq: 0 };
  for (;;) {
    const r = await expireBatch(ctx, batch, cursor, failures);
    expired += r.expired;
    filesRemoved += r.filesRemoved;
    cursor = r.next;
    if (r.selected < batch) break;
  }
  const orphanDirsRemoved = await removeOrphans(ctx, failures);
  await ctx.db.scrub();
  return { expired, filesRemoved, tokensCleared, ledgerPruned, orphanDirsRemoved, failures };
}
