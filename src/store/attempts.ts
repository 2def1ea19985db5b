/**
 * How an attempt that did not succeed ends, and the recovery of attempts whose
 * worker vanished (lease expired, or owner known dead). Shared by the worker
 * transitions in job-queue.ts and by start-up recovery.
 */
import { write, type StoreContext } from './context.js';
import { updateJobRow, type JobRow } from './job-record.js';
import { serializeFailure, type FailureReason } from './failure.js';
import { assertTransition } from './job-state.js';
import { forUpdate } from './sql/sql.js';
import { backoffMs, mayRetry } from './retry-policy.js';

export interface RecoveryReport {
  readonly requeued: readonly string[];
  readonly failed: readonly string[];
  readonly cancelled: readonly string[];
}

export const CLEAR_LEASE = { lease_id: null, lease_owner: null, lease_expires_ms: null } as const;

/**
 * Ends an attempt that did not succeed: cancelled if asked, retried if attempts
 * remain (after a backoff, unless `backoff` is false), else failed for good with
 * `reason` (after its retries when it was retryable).
 */
export async function endAttempt(
  ctx: StoreContext,
  row: JobRow,
  internalError: string,
  reason: FailureReason,
  retryable: boolean,
  backoff = true,
): Promise<JobRow> {
  const now = ctx.clock.now();
  if (row.cancel_requested_ms !== null) {
    assertTransition(row.state, 'cancelled', row.id);
    return updateJobRow(ctx, row, { ...CLEAR_LEASE, state: 'cancelled', finished_ms: now, last_error: internalError });
  }
  if (retryable && mayRetry(row.attempts, row.max_attempts)) {
    assertTransition(row.state, 'queued', row.id);
    return updateJobRow(ctx, row, {
      ...CLEAR_LEASE,
      state: 'queued',
      last_error: internalError,
      progress: null,
      run_after_ms: backoff ? now + backoffMs(ctx.config, row.attempts) : now,
    });
  }
  assertTransition(row.state, 'failed', row.id);
  const failure = serializeFailure({ reason, afterRetries: retryable });
  return updateJobRow(ctx, row, { ...CLEAR_LEASE, state: 'failed', finished_ms: now, last_error: internalError, failure });
}

export async function recoverRows(ctx: StoreContext, isOwnerDead: (owner: string) => boolean): Promise<RecoveryReport> {
  const now = ctx.clock.now();
  const rows = await ctx.sql.all<JobRow>(`SELECT * FROM jobs WHERE state = 'running'${forUpdate(ctx.sql)}`);
  const report = { requeued: [] as string[], failed: [] as string[], cancelled: [] as string[] };
  for (const row of rows) {
    if ((row.lease_expires_ms ?? 0) > now && !isOwnerDead(row.lease_owner ?? '')) continue;
    // The worker vanished (crash, kill, lost host): nothing says the job is at fault, so it may run again at once;
    // a job that keeps killing its worker still fails after maxAttempts.
    const next = await endAttempt(ctx, row, `lease lost: worker ${row.lease_owner ?? '?'} stopped heartbeating`, { code: 'worker-lost' }, true, false);
    (next.state === 'queued' ? report.requeued : next.state === 'cancelled' ? report.cancelled : report.failed).push(row.id);
  }
  return report;
}

/**
 * Requeues (to run at once) or fails every running job whose lease expired, or whose
 * owner `isOwnerDead` says is gone. Run at start-up; claimNext also does it.
 */
export function recoverStalled(ctx: StoreContext, isOwnerDead: (owner: string) => boolean = () => false): Promise<RecoveryReport> {
  return write(ctx, ['claim'], (tx) => recoverRows(tx, isOwnerDead));
}
