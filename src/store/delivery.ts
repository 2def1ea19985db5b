/**
 * Delivering finished jobs exactly once, and the interaction tokens that allow
 * it. Tokens are secrets: they are returned only by the two functions that need
 * them, never as part of a Job, and deleted once delivered or expired.
 */
import { write, type StoreContext } from './context.js';
import { assertDeliveryTransition, type DeliveryRoute } from './delivery-state.js';
import { getJobRow, rowToJob, updateJobRow, type Job, type JobRow } from './job-record.js';
import { isTerminal } from './job-state.js';
import { indexedBy, type Sql } from './sql/sql.js';

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

async function liveToken(ctx: StoreContext, seq: number): Promise<string | null> {
  const limit = ctx.clock.now() + ctx.config.tokenSafetyMarginMs;
  return (await ctx.sql.value<string>('SELECT token FROM interaction_tokens WHERE job_seq = ? AND expires_ms > ?', [seq, limit])) ?? null;
}

/** The job's interaction token while it is usable (progress edits), else null. */
export async function interactionToken(ctx: StoreContext, jobId: string): Promise<string | null> {
  return liveToken(ctx, (await getJobRow(ctx, jobId)).seq);
}

/**
 * Finished jobs not delivered yet (oldest first), including in-doubt ones: a page of them after `afterSeq`
 * (the last page's `cursor`), so a pass goes past jobs still waiting for their retry. The partial index
 * holds only these rows; the planner is told to use it (left alone, it walked every finished job).
 */
export const PENDING_DELIVERIES_SQL = (sql: Sql): string => `SELECT * FROM jobs${indexedBy(sql, 'jobs_undelivered')}
   WHERE delivery IN ('pending', 'delivering') AND state IN ('succeeded', 'failed', 'cancelled') AND seq > ?
   ORDER BY seq LIMIT ?`;

export interface DeliveryPage {
  readonly tasks: readonly DeliveryTask[];
  /** Pass as `afterSeq` for the next page; null after the last. */
  readonly cursor: number | null;
}

export async function pendingDeliveries(ctx: StoreContext, afterSeq = 0, limit = 50): Promise<DeliveryPage> {
  const rows = await ctx.sql.all<JobRow>(PENDING_DELIVERIES_SQL(ctx.sql), [afterSeq, limit]);
  const tasks: DeliveryTask[] = [];
  for (const r of rows) tasks.push({ job: rowToJob(r), inDoubt: r.delivery === 'delivering', tokenUsable: (await liveToken(ctx, r.seq)) !== null });
  return { tasks, cursor: rows.length === limit ? rows[rows.length - 1]!.seq : null };
}

/**
 * Records that a delivery attempt by `route` begins, before anything is posted.
 * Returns the nonce to post with (the job id: Discord drops a second message with
 * the same nonce) and, for the interaction route, the token.
 */
export function beginDelivery(ctx: StoreContext, jobId: string, route: DeliveryRoute): Promise<DeliveryStart> {
  return write(ctx, [], async (tx) => {
    const row = await getJobRow(tx, jobId, true);
    if (!isTerminal(row.state)) return { ok: false, reason: 'not-finished' };
    assertDeliveryTransition(row.delivery, 'delivering', jobId);
    const token = route === 'interaction' ? await liveToken(tx, row.seq) : null;
    if (route === 'interaction' && token === null) return { ok: false, reason: 'token-expired' };
    const next = await updateJobRow(tx, row, {
      delivery: 'delivering',
      delivery_via: route,
      delivery_attempts: row.delivery_attempts + 1,
      delivery_started_ms: tx.clock.now(),
    });
    return { ok: true, job: rowToJob(next), nonce: row.id, token };
  });
}

function finish(ctx: StoreContext, jobId: string, patch: Parameters<typeof updateJobRow>[2] & { delivery: JobRow['delivery'] }): Promise<Job> {
  return write(ctx, [], async (tx) => {
    const row = await getJobRow(tx, jobId, true);
    assertDeliveryTransition(row.delivery, patch.delivery, jobId);
    const next = await updateJobRow(tx, row, patch);
    await tx.sql.run('DELETE FROM interaction_tokens WHERE job_seq = ?', [row.seq]);
    return rowToJob(next);
  });
}

/** delivering → interaction|channel|dm. The token is deleted. */
export function markDelivered(ctx: StoreContext, jobId: string, route: DeliveryRoute, messageId: string | null): Promise<Job> {
  return finish(ctx, jobId, {
    delivery: route,
    delivery_via: route,
    delivered_ms: ctx.clock.now(),
    delivery_message_id: messageId,
    delivery_error: null,
  });
}

/** No route worked: the job stays undelivered for good. The token is deleted. */
export function markDeliveryFailed(ctx: StoreContext, jobId: string, error: string): Promise<Job> {
  return finish(ctx, jobId, { delivery: 'failed', delivery_error: error });
}

/** Nothing needs posting (e.g. the requester saw the cancellation already). The token is deleted. */
export function skipDelivery(ctx: StoreContext, jobId: string): Promise<Job> {
  return finish(ctx, jobId, { delivery: 'skipped' });
}

/** Deletes tokens that can no longer be used. Returns how many. */
export async function clearExpiredTokens(ctx: StoreContext): Promise<number> {
  return (await ctx.sql.run('DELETE FROM interaction_tokens WHERE expires_ms <= ?', [ctx.clock.now()])).changes;
}
