/**
 * Deleting generations: one (by its owner), all of a user (forget-me), all of a
 * member in one guild (moderator purge). Files first, verified, then the rows in
 * one transaction; a crash in between leaves rows whose files are already gone,
 * and deleting again finishes the job. A deleted job that still counts for a
 * rate limit leaves a timestamp in rate_ledger for at most 24 hours, so
 * deleting history cannot reset a limit.
 */
import { recordAudit } from './audit-log.js';
import { DAY_MS } from './clock.js';
import { write, type StoreContext } from './context.js';
import { existsSync } from 'node:fs';
import { FileDeletionError, jobDirectory, resolveInside } from './files.js';
import { removeJobStorage } from './job-storage.js';
import type { JobRow } from './job-record.js';
import { forUpdate } from './sql/sql.js';

export interface DeletionReport {
  readonly jobsDeleted: number;
  readonly filesRemoved: number;
}

export type DeleteOutcome = ({ readonly deleted: true } & DeletionReport) | { readonly deleted: false; readonly reason: 'not-found' | 'running' };

function paths(r: JobRow): Array<string | null> {
  return [r.source_path, r.driving_path, r.output_path];
}

/** Checks that no row and no file of these jobs remains; throws FileDeletionError otherwise. */
async function verifyGone(ctx: StoreContext, rows: readonly JobRow[]): Promise<void> {
  const left: string[] = [];
  for (const r of rows) {
    if ((await ctx.sql.value('SELECT 1 FROM jobs WHERE seq = ?', [r.seq])) !== undefined) left.push(`job ${r.id}`);
    for (const p of [...paths(r), jobDirectory(ctx.dataDir, r.id)]) {
      if (p !== null && existsSync(resolveInside(ctx.dataDir, p))) left.push(p);
    }
  }
  if (left.length > 0) throw new FileDeletionError(left);
}

/**
 * Deletes the given jobs' files (verified) and rows. Running jobs lose their lease; their worker stops at the next
 * heartbeat. `alongside` runs inside the rows' transaction (an audit entry, the user's row), so it happens exactly
 * when they go, whatever fails or crashes afterwards.
 */
async function deleteRows(
  ctx: StoreContext,
  rows: readonly JobRow[],
  locks: readonly string[],
  alongside: (tx: StoreContext, report: DeletionReport) => Promise<void> = async () => undefined,
): Promise<DeletionReport> {
  let filesRemoved = 0;
  for (const r of rows) filesRemoved += await removeJobStorage(ctx, r.id, paths(r));
  const late: JobRow[] = [];
  const jobsDeleted = await write(ctx, locks, async (tx) => {
    const since = tx.clock.now() - DAY_MS;
    let n = 0;
    for (const r of rows) {
      const now = await tx.sql.get<JobRow>(`SELECT * FROM jobs WHERE seq = ?${forUpdate(tx.sql)}`, [r.seq]);
      if (now === undefined) continue;
      const counted = !(now.state === 'cancelled' && now.first_started_ms === null);
      if (counted && now.created_ms > since) {
        await tx.sql.run('INSERT INTO rate_ledger (guild_id, user_id, created_ms) VALUES (?, ?, ?)', [now.guild_id, now.user_id, now.created_ms]);
      }
      n += (await tx.sql.run('DELETE FROM jobs WHERE seq = ?', [r.seq])).changes;
      if (paths(now).some((p, i) => p !== paths(r)[i])) late.push(now);
    }
    await alongside(tx, { jobsDeleted: n, filesRemoved });
    return n;
  });
  // A worker may have recorded an output between the file pass and the transaction.
  for (const r of late) filesRemoved += await removeJobStorage(ctx, r.id, paths(r));
  await verifyGone(ctx, [...rows, ...late]);
  return { jobsDeleted, filesRemoved };
}

/** Deletes one job of its owner (row and files). Others get not-found; a running job must be cancelled first. */
export async function deleteJobForOwner(ctx: StoreContext, jobId: string, userId: string): Promise<DeleteOutcome> {
  const row = await ctx.sql.get<JobRow>('SELECT * FROM jobs WHERE id = ?', [jobId]);
  if (row === undefined || row.user_id !== userId) return { deleted: false, reason: 'not-found' };
  if (row.state === 'running') return { deleted: false, reason: 'running' };
  const report = await deleteRows(ctx, [row], [`user:${userId}`]);
  await ctx.db.scrub();
  return { deleted: true, ...report };
}

/** Forget-me: every job of the user in every guild (queued and running too), the user's own row (consent, last seen), and their commands in flight. */
export async function forgetUser(ctx: StoreContext, userId: string): Promise<DeletionReport & { readonly userDeleted: boolean }> {
  const rows = await ctx.sql.all<JobRow>('SELECT * FROM jobs WHERE user_id = ?', [userId]);
  let userDeleted = false;
  const report = await deleteRows(ctx, rows, [`user:${userId}`], async (tx) => {
    userDeleted = (await tx.sql.run('DELETE FROM users WHERE user_id = ?', [userId])).changes > 0;
    await tx.sql.run('DELETE FROM intakes WHERE user_id = ?', [userId]); // commands still downloading: refused at enqueue
    await tx.sql.run('DELETE FROM consent_waits WHERE user_id = ?', [userId]); // their tokens (a waiting line is removed on its own)
  });
  await ctx.db.scrub(); // nothing of the user left in the -wal file either
  return { ...report, userDeleted };
}

/** A moderator deletes a member's generations in one guild; audited with the counts. */
export async function purgeUserInGuild(ctx: StoreContext, guildId: string, userId: string, actorId: string): Promise<DeletionReport> {
  const rows = await ctx.sql.all<JobRow>('SELECT * FROM jobs WHERE guild_id = ? AND user_id = ?', [guildId, userId]);
  const report = await deleteRows(ctx, rows, [`guild:${guildId}`, `user:${userId}`], async (tx, done) => {
    await recordAudit(tx, { guildId, actorId, action: 'purge.user', targetId: userId, detail: { jobs: done.jobsDeleted, files: done.filesRemoved } });
    await tx.sql.run('DELETE FROM intakes WHERE guild_id = ? AND user_id = ?', [guildId, userId]); // commands still downloading: refused at enqueue
  });
  await ctx.db.scrub();
  return report;
}

/** Ids of a user's jobs (for verifying a forget-me in tests and tools). */
export function jobIdsOfUser(ctx: StoreContext, userId: string): Promise<string[]> {
  return ctx.sql.column<string>('SELECT id FROM jobs WHERE user_id = ?', [userId]);
}
