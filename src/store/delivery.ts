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
  const r = ctx.stmt('SELECT token FROM interaction_tokens WHERE job_seq = ? AND expires_ms > ?').get(seq, limit) as
    | { token: string }
    | undefined;
  return r?.token ?? null;
}

/** The job's interaction token while it is usable (progress edits), else null. */
export function interactionToken(ctx: StoreContext, jobId: string): string | null {
  return liveToken(ctx, getJobRow(ctx, jobId).seq);
}

/** Finished jobs not delivered yet (oldest first), including in-doubt ones. */
export function pendingDeliveries(ctx: StoreContext, limit = 50): DeliveryTask[] {
  const rows = ctx
    .stmt(
      `SELECT * FROM jobs WHERE delivery IN ('pending', 'delivering')
         AND state IN ('succeeded', 'failed', 'cancelled') ORDER BY seq LIMIT ?`,
    )
    .all(limit) as JobRow[];
  return rows.map((r) => ({ job: rowToJob(r), inDoubt: r.delivery === 'delivering', tokenUsable: liveToken(ctx, r.seq) !== null }));
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
      delivery: 'delivering', delivery_via: route, delivery_attempts: row.delivery_attempts + 1,
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
    delivery: route, delivery_via: route, delivered_ms: ctx.clock.now(), delivery_message_id: messageId, delivery_error: null,
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
