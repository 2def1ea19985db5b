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
 * between only means the next sweep marks it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS } from './clock.js';
import type { StoreContext } from './context.js';
import { immediate } from './database.js';
import { clearExpiredTokens } from './delivery.js';
import { JOBS_DIR, removeJobFiles, removeTree } from './files.js';
import { DEFAULT_GUILD_SETTINGS } from './guild-settings.js';
import { isJobId } from './ids.js';
import type { JobRow } from './job-record.js';

export interface SweepReport {
  readonly expired: number;
  readonly filesRemoved: number;
  readonly tokensCleared: number;
  readonly ledgerPruned: number;
  readonly orphanDirsRemoved: number;
}

function expireBatch(ctx: StoreContext, batch: number): { expired: number; filesRemoved: number } {
  const now = ctx.clock.now();
  const rows = ctx
    .stmt(
      `SELECT j.* FROM jobs j LEFT JOIN guild_settings g ON g.guild_id = j.guild_id
       WHERE j.expired_ms IS NULL AND j.state IN ('succeeded', 'failed', 'cancelled')
         AND j.finished_ms <= ? - COALESCE(g.retention_days, ?) * ?
       ORDER BY j.finished_ms LIMIT ?`,
    )
    .all(now, DEFAULT_GUILD_SETTINGS.retentionDays, DAY_MS, batch) as JobRow[];
  let filesRemoved = 0;
  for (const r of rows) filesRemoved += removeJobFiles(ctx.dataDir, r.id, [r.source_path, r.driving_path, r.output_path]);
  immediate(ctx.db, () => {
    for (const r of rows) {
      ctx
        .stmt('UPDATE jobs SET expired_ms = ?, source_path = NULL, driving_path = NULL, output_path = NULL, updated_ms = ? WHERE seq = ? AND expired_ms IS NULL')
        .run(now, now, r.seq);
      ctx.stmt('DELETE FROM interaction_tokens WHERE job_seq = ?').run(r.seq);
    }
  });
  return { expired: rows.length, filesRemoved };
}

function removeOrphans(ctx: StoreContext): number {
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
    if (ctx.stmt('SELECT 1 FROM jobs WHERE id = ?').pluck().get(name) !== undefined) continue;
    if (statSync(join(root, name)).mtimeMs > cutoff) continue;
    removeTree(ctx.dataDir, join(root, name));
    removed += 1;
  }
  return removed;
}

export function sweep(ctx: StoreContext, opts: { batch?: number } = {}): SweepReport {
  const batch = opts.batch ?? 200;
  let expired = 0;
  let filesRemoved = 0;
  for (;;) {
    const r = expireBatch(ctx, batch);
    expired += r.expired;
    filesRemoved += r.filesRemoved;
    if (r.expired < batch) break;
  }
  const { tokensCleared, ledgerPruned } = immediate(ctx.db, () => ({
    tokensCleared: clearExpiredTokens(ctx),
    ledgerPruned: ctx.stmt('DELETE FROM rate_ledger WHERE created_ms <= ?').run(ctx.clock.now() - DAY_MS).changes,
  }));
  return { expired, filesRemoved, tokensCleared, ledgerPruned, orphanDirsRemoved: removeOrphans(ctx) };
}
