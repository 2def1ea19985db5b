/**
 * Delivering finished jobs exactly once, and the interaction tokens that allow
 * it. Tokens are secrets: they are returned only by the two functions that need
 * them, never as part of a Job, and deleted once delivered or expired.
 */
import type { StoreContext } from './context.js';
import { immediate } from './database.js';
import { assertDeliveryTransition, type DeliveryRoute } from './delivery-state.js';
import { getJobRow, rowToJob, updateJobRow, type Job, type JobRow } from './job-record.js';
import { isTerminal } from './job-state.js';

export interface DeliveryTask {
  readonly job: Job;
  /** A previous process began delivering and did not record the outcome: check before posting again. */
  readonly inDoubt: boolean;
  /** Whether the interaction token can still be used (follow-up / edit). */
  readonly tokenUsable: boolean;
}

export type DeliveryStart =
  | { readonly ok: true; readonly job: Job; readonly nonce: string; readonly token: string | null }
  | { readonly ok: false; readonly reason: 'token-expired' | 'not-finished' };

function liveToken(ctx: StoreContext, seq: number): string | null {
  const limit = ctx.clock.now() + ctx.config.tokenSafetyMarginMs;
  const r = ctx.stmt('SELECT token FROM interaction_tokens WHERE job_seq = ? AND expires_ms > ?').get(seq, limit) as { token: string } | undefined;
  return r?.token ?? null;
}

/** The job's interaction token while it is usable (progress edits), else null. */
export function interactionToken(ctx: StoreContext, jobId: string): string | null {
  return liveToken(ctx, getJobRow(ctx, jobId).seq);
}

/**
 * Finished jobs not delivered yet (oldest first), including in-doubt ones: a page of them after `afterSeq`
 * (the last page's `cursor`), so a pass goes past jobs still waiting for their retry. The partial index
 * holds only these rows; the planner is told to use it (left alone, it walked every finished job).
 */
export const PENDING_DELIVERIES_SQL = `SELECT * FROM jobs INDEXED BY jobs_undelivered
   WHERE delivery IN ('pending', 'delivering') AND state IN ('succeeded', 'failed', 'cancelled') AND seq > ?
   ORDER BY seq LIMIT ?`;

export interface DeliveryPage {
  readonly tasks: readonly DeliveryTask[];
  /** Pass as `afterSeq` for the next page; null after the last. */
  readonly cursor: number | null;
}

export function pendingDeliveries(ctx: StoreContext, afterSeq = 0, limit = 50): DeliveryPage {
  const rows = ctx.stmt(PENDING_DELIVERIES_SQL).all(afterSeq, limit) as JobRow[];
  return {
    tasks: rows.map((r) => ({ job: rowToJob(r), inDoubt: r.delivery === 'delivering', tokenUsable: liveToken(ctx, r.seq) !== null })),
    cursor: rows.length === limit ? rows[rows.length - 1]!.seq : null,
  };
}

/**
 * Records that a delivery attempt by `route` begins, before anything is posted.
 * Returns the nonce to post with (the job id: Discord drops a second message with
 * the same nonce) and, for the interaction route, the token.
 */
export function beginDelivery(ctx: StoreContext, jobId: string, route: DeliveryRoute): DeliveryStart {
  return immediate(ctx.db, () => {
    const row = getJobRow(ctx, jobId);
    if (!isTerminal(row.state)) return { ok: false, reason: 'not-finished' };
    assertDeliveryTransition(row.delivery, 'delivering', jobId);
    const token = route === 'interaction' ? liveToken(ctx, row.seq) : null;
    if (route === 'interaction' && token === null) return { ok: false, reason: 'token-expired' };
    const next = updateJobRow(ctx, row, {
      delivery: 'delivering',
      delivery_via: route,
      delivery_attempts: row.delivery_attempts + 1,
      delivery_started_ms: ctx.clock.now(),
    });
    return { ok: true, job: rowToJob(next), nonce: row.id, token };
  });
}

function finish(ctx: StoreContext, jobId: string, patch: Parameters<typeof updateJobRow>[2] & { delivery: JobRow['delivery'] }): Job {
  return immediate(ctx.db, () => {
    const row = getJobRow(ctx, jobId);
    assertDeliveryTransition(row.delivery, patch.delivery, jobId);
    const next = updateJobRow(ctx, row, patch);
    ctx.stmt('DELETE FROM interaction_tokens WHERE job_seq = ?').run(row.seq);
    return rowToJob(next);
  });
}

/** delivering → interaction|channel|dm. The token is deleted. */
export function markDelivered(ctx: StoreContext, jobId: string, route: DeliveryRoute, messageId: string | null): Job {
  return finish(ctx, jobId, {
    delivery: route,
    delivery_via: route,
    delivered_ms: ctx.clock.now(),
    delivery_message_id: messageId,
    delivery_error: null,
  });
}

/** No route worked: the job stays undelivered for good. The token is deleted. */
export function markDeliveryFailed(ctx: StoreContext, jobId: string, error: string): Job {
  return finish(ctx, jobId, { delivery: 'failed', delivery_error: error });
}

/** Nothing needs posting (e.g. the requester saw the cancellation already). The token is deleted. */
export function skipDelivery(ctx: StoreContext, jobId: string): Job {
  return finish(ctx, jobId, { delivery: 'skipped' });
}

/** Deletes tokens that can no longer be used. Returns how many. */
export function clearExpiredTokens(ctx: StoreContext): number {
  return ctx.stmt('DELETE FROM interaction_tokens WHERE expires_ms <= ?').run(ctx.clock.now()).changes;
}
