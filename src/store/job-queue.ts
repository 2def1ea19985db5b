/**
 * The worker side of the queue. Every function is one write transaction (sql/sql.ts) that reads the job's row
 * (locked, on Postgres), checks the state machine, then writes.
 */
import { write, type StoreContext } from './context.js';
import { chooseNext, type QueueHead } from './fairness.js';
import { resolveInside } from './files.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { newLeaseId } from './ids.js';
import { findJobRow, rowToJob, updateJobRow, type Job, type JobRow, type ResultNote } from './job-record.js';
import { assertTransition } from './job-state.js';
import { skipLocked } from './sql/sql.js';
import { CLEAR_LEASE, endAttempt, recoverRows } from './attempts.js';
import type { FailureReason } from './failure.js';

export { recoverStalled, type RecoveryReport } from './attempts.js';

export interface Claim {
  readonly job: Job;
  /** Proves this claim; a later claim of the same job gets another. */
  readonly leaseId: string;
}

export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly jobId: string) {
    super(`The lease on job ${jobId} is no longer held (expired and reclaimed, cancelled, or deleted).`);
  }
}

async function heldRow(ctx: StoreContext, jobId: string, leaseId: string): Promise<JobRow> {
  const row = await findJobRow(ctx, jobId, true);
  if (row === undefined || row.state !== 'running' || row.lease_id !== leaseId) throw new LeaseLostError(jobId);
  return row;
}

/**
 * Atomically claims the next runnable job (fair order, see fairness.ts) with a lease of `leaseMs`. Guarantee:
 * no two claims ever hold the same job at once. Claims are one at a time (the `claim` lock): fairness is a
 * decision over every member's queue, and the turn counter is global. `accepts`, when given, limits the claim to
 * jobs whose model this worker has (a remote worker with only some models installed).
 */
export function claimNext(ctx: StoreContext, workerId: string, leaseMs = ctx.config.leaseMs, accepts?: readonly string[]): Promise<Claim | null> {
  return write(ctx, ['claim'], async (tx) => {
    await recoverRows(tx, () => false);
    const now = tx.clock.now();
    const row = await nextRunnable(tx, now, accepts);
    if (row === undefined) return null;
    assertTransition(row.state, 'running', row.id);
    const turn = (await tx.sql.value<number>('SELECT COALESCE(MAX(turn), 0) + 1 FROM jobs')) ?? 1;
    const leaseId = newLeaseId();
    const updated = await updateJobRow(tx, row, {
      state: 'running',
      attempts: row.attempts + 1,
      lease_id: leaseId,
      lease_owner: workerId,
      lease_expires_ms: now + leaseMs,
      heartbeat_ms: now,
      turn,
      started_ms: now,
      first_started_ms: row.first_started_ms ?? now,
      progress: null,
    });
    return { job: rowToJob(updated), leaseId };
  });
}

/**
 * The queue's head in fair order (fairness.ts): each member's oldest runnable job, then the member whose turn
 * came longest ago. A head another transaction holds (a cancel, a deletion in progress) is passed over, not
 * waited for.
 */
async function nextRunnable(ctx: StoreContext, now: number, accepts: readonly string[] | undefined): Promise<JobRow | undefined> {
  const models = accepts === undefined ? '' : ` AND model IN (${accepts.map(() => '?').join(', ') || 'NULL'})`;
  const heads = await ctx.sql.all<QueueHead>(
    `SELECT q.seq AS seq, q.user_id AS "userId", q.guild_id AS "guildId",
       (SELECT MAX(t.turn) FROM jobs t WHERE t.user_id = q.user_id) AS "userTurn",
       (SELECT MAX(t.turn) FROM jobs t WHERE t.guild_id = q.guild_id) AS "guildTurn"
     FROM (SELECT MIN(seq) AS seq, user_id, guild_id FROM jobs
           WHERE state = 'queued' AND run_after_ms <= ?${models} GROUP BY guild_id, user_id) q`,
    [now, ...(accepts ?? [])],
  );
  const remaining = [...heads];
  for (let next = chooseNext(remaining); next !== undefined; next = chooseNext(remaining)) {
    const row = await ctx.sql.get<JobRow>(`SELECT * FROM jobs WHERE seq = ? AND state = 'queued'${skipLocked(ctx.sql)}`, [next.seq]);
    if (row !== undefined) return row;
    remaining.splice(remaining.indexOf(next), 1);
  }
  return undefined;
}

/**
 * Renews the lease. alive=false means the claim is gone (expired and taken over,
 * or the job was deleted): stop working and discard the output.
 * cancelRequested=true means the requester asked to cancel: stop and call cancelRunning.
 */
export function heartbeat(
  ctx: StoreContext,
  jobId: string,
  leaseId: string,
  opts: { progress?: number; leaseMs?: number } = {},
): Promise<{ alive: boolean; cancelRequested: boolean }> {
  return write(ctx, [], async (tx) => {
    const row = await findJobRow(tx, jobId, true);
    if (row === undefined || row.state !== 'running' || row.lease_id !== leaseId) return { alive: false, cancelRequested: false };
    const now = tx.clock.now();
    const progress = opts.progress === undefined ? row.progress : Math.min(1, Math.max(0, opts.progress));
    await updateJobRow(tx, row, { heartbeat_ms: now, lease_expires_ms: now + (opts.leaseMs ?? tx.config.leaseMs), progress });
    return { alive: true, cancelRequested: row.cancel_requested_ms !== null };
  });
}

/**
 * running → succeeded, with the output; or → cancelled when the requester asked to cancel while
 * the clip was being finished (they were told nothing would be posted: the caller drops the output).
 * Throws LeaseLostError if the claim is gone.
 */
export async function complete(ctx: StoreContext, jobId: string, leaseId: string, output: CompletedOutput): Promise<Job> {
  return write(ctx, [], async (tx) => {
    const row = await heldRow(tx, jobId, leaseId);
    checkOutputPath(ctx, row, output.path);
    if (row.cancel_requested_ms !== null) {
      assertTransition(row.state, 'cancelled', jobId);
      return rowToJob(await updateJobRow(tx, row, { ...CLEAR_LEASE, state: 'cancelled', finished_ms: tx.clock.now() }));
    }
    assertTransition(row.state, 'succeeded', jobId);
    return rowToJob(
      await updateJobRow(tx, row, {
        ...CLEAR_LEASE,
        state: 'succeeded',
        finished_ms: tx.clock.now(),
        progress: 1,
        output_path: output.path,
        output_bytes: output.bytes,
        output_duration_ms: output.durationMs,
        result_notes: output.notes !== undefined && output.notes.length > 0 ? JSON.stringify(output.notes) : null,
      }),
    );
  });
}

/**
 * The clip must be where the store may later delete it: inside this process's data folder, or (a worker on another
 * host, whose data folder is its own) in the job's folder beside its photo, as the bot that queued the job recorded it.
 */
function checkOutputPath(ctx: StoreContext, row: JobRow, path: string): void {
  if (row.source_path !== null && isAbsolute(path) && dirname(resolve(path)) === dirname(row.source_path)) return;
  resolveInside(ctx.dataDir, path);
}

/** A finished clip as the worker records it; `notes` on how it was made (none when absent). */
export interface CompletedOutput {
  readonly path: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly notes?: readonly ResultNote[];
}

/**
 * The attempt failed. retryable (default true): requeued with backoff while
 * attempts remain, else failed for good with `reason` (default internal) after its retries.
 * Not retryable (bad input): failed at once. A pending cancel request wins.
 */
export function fail(ctx: StoreContext, jobId: string, leaseId: string, failure: AttemptFailure): Promise<Job> {
  return write(ctx, [], async (tx) => {
    const row = await heldRow(tx, jobId, leaseId);
    return rowToJob(await endAttempt(tx, row, failure.error, failure.reason ?? { code: 'internal' }, failure.retryable ?? true));
  });
}

/** How an attempt failed: `error` for logs, `reason` for the member (as data), and whether trying again may help. */
export interface AttemptFailure {
  readonly error: string;
  readonly reason?: FailureReason;
  readonly retryable?: boolean;
}

/** The worker stopped a running job after a cancel request: running → cancelled. */
export function cancelRunning(ctx: StoreContext, jobId: string, leaseId: string): Promise<Job> {
  return write(ctx, [], async (tx) => {
    const row = await heldRow(tx, jobId, leaseId);
    assertTransition(row.state, 'cancelled', jobId);
    return rowToJob(await updateJobRow(tx, row, { ...CLEAR_LEASE, state: 'cancelled', finished_ms: tx.clock.now() }));
  });
}

/**
 * Graceful shutdown (SIGTERM): the worker gives the job back unfinished. It is
 * queued again at once and the interrupted attempt is not counted (a pending
 * cancel request still wins). Throws LeaseLostError if the claim is gone.
 */
export function releaseClaim(ctx: StoreContext, jobId: string, leaseId: string): Promise<Job> {
  return write(ctx, [], async (tx) => {
    const row = await heldRow(tx, jobId, leaseId);
    const now = tx.clock.now();
    if (row.cancel_requested_ms !== null) {
      assertTransition(row.state, 'cancelled', jobId);
      return rowToJob(await updateJobRow(tx, row, { ...CLEAR_LEASE, state: 'cancelled', finished_ms: now }));
    }
    assertTransition(row.state, 'queued', jobId);
    return rowToJob(
      await updateJobRow(tx, row, {
        ...CLEAR_LEASE,
        state: 'queued',
        attempts: Math.max(0, row.attempts - 1),
        run_after_ms: now,
        progress: null,
        last_error: 'interrupted: the worker shut down',
      }),
    );
  });
}

export type CancelOutcome = 'cancelled' | 'cancel-requested' | 'already-finished' | 'not-found';

/**
 * The requester (only them: anyone else gets not-found) cancels: a queued job is
 * cancelled at once; a running one is flagged for its worker (heartbeat reports it).
 */
export function requestCancel(ctx: StoreContext, jobId: string, userId: string): Promise<CancelOutcome> {
  return write(ctx, [], async (tx) => {
    const row = await findJobRow(tx, jobId, true);
    if (row === undefined || row.user_id !== userId) return 'not-found';
    const now = tx.clock.now();
    if (row.state === 'queued') {
      assertTransition(row.state, 'cancelled', jobId);
      await updateJobRow(tx, row, { state: 'cancelled', finished_ms: now, cancel_requested_ms: now });
      return 'cancelled';
    }
    if (row.state === 'running') {
      if (row.cancel_requested_ms === null) await updateJobRow(tx, row, { cancel_requested_ms: now });
      return 'cancel-requested';
    }
    return 'already-finished';
  });
}
