/** Queue position and ETA of a job, from the jobs table and the pure rules. */
import { read, type StoreContext } from './context.js';
import { estimateEta, estimateEtas, msPerUnit, units, type DurationSample } from './eta.js';
import { simulateOrder, type QueuedJobRef } from './fairness.js';
import { findJobRow } from './job-record.js';

export interface QueueStatus {
  readonly state: 'queued' | 'running';
  /** 1 = next to be claimed; 0 = running. Counts queued jobs only. */
  readonly position: number;
  /** Queued jobs that will be claimed before this one. */
  readonly ahead: number;
  /** Jobs running now (this one included if running). */
  readonly running: number;
  readonly etaStartMs: number;
  readonly etaDoneMs: number;
}

/** The speed estimate: median ms per driving-video second over recent successful jobs. */
export async function currentMsPerUnit(ctx: StoreContext): Promise<number> {
  const samples = await ctx.sql.all<DurationSample>(
    `SELECT finished_ms - started_ms AS "durationMs", driving_seconds AS units FROM jobs
     WHERE state = 'succeeded' AND started_ms IS NOT NULL ORDER BY finished_ms DESC LIMIT ?`,
    [ctx.config.etaSampleSize],
  );
  return msPerUnit(samples, ctx.config.fallbackMsPerDrivingSecond);
}

/**
 * The latest turn of each user (or guild) with a queued job: one index lookup each (jobs_user_turn,
 * jobs_guild_turn), not a pass over everyone's history.
 */
const turnsSql = (column: 'user_id' | 'guild_id') =>
  `SELECT q.k AS k, (SELECT MAX(turn) FROM jobs j WHERE j.${column} = q.k) AS t
     FROM (SELECT DISTINCT ${column} AS k FROM jobs WHERE state = 'queued') q`;
export const TURNS_SQL = { user_id: turnsSql('user_id'), guild_id: turnsSql('guild_id') } as const;

async function turns(ctx: StoreContext, column: 'user_id' | 'guild_id'): Promise<Map<string, number>> {
  const rows = await ctx.sql.all<{ k: string; t: number | null }>(TURNS_SQL[column]);
  return new Map(rows.flatMap((r) => (r.t === null ? [] : [[r.k, r.t] as const])));
}

/** Position and ETA of a queued or running job; null for any other state or an unknown id. */
export function queueStatus(ctx: StoreContext, jobId: string): Promise<QueueStatus | null> {
  return read(ctx, async (tx): Promise<QueueStatus | null> => {
    const job = await findJobRow(tx, jobId);
    if (job === undefined || (job.state !== 'queued' && job.state !== 'running')) return null;
    const now = tx.clock.now();
    const rate = await currentMsPerUnit(tx);
    const running = await tx.sql.all<{ id: string; startedMs: number; units: number }>(
      `SELECT id, started_ms AS "startedMs", driving_seconds AS units FROM jobs WHERE state = 'running'`,
    );
    if (job.state === 'running') {
      const doneMs = Math.max(now, (job.started_ms ?? now) + units(job.driving_seconds) * rate);
      return { state: 'running', position: 0, ahead: 0, running: running.length, etaStartMs: job.started_ms ?? now, etaDoneMs: doneMs };
    }
    const queued = await tx.sql.all<QueuedJobRef & { units: number }>(
      `SELECT seq, user_id AS "userId", guild_id AS "guildId", driving_seconds AS units FROM jobs WHERE state = 'queued'`,
    );
    const order = simulateOrder(queued, await turns(tx, 'user_id'), await turns(tx, 'guild_id'), job.seq);
    const unitsBySeq = new Map(queued.map((q) => [q.seq, q.units]));
    const aheadUnits = order.slice(0, -1).map((seq) => unitsBySeq.get(seq) ?? 0);
    const eta = estimateEta({
      nowMs: now,
      workers: tx.config.workers,
      msPerUnit: rate,
      running,
      aheadUnits,
      ownUnits: job.driving_seconds,
    });
    return { state: 'queued', position: order.length, ahead: order.length - 1, running: running.length, etaStartMs: eta.startMs, etaDoneMs: eta.doneMs };
  });
}

/**
 * Position and ETA of every queued job, by id, from one simulation of the fair order (what a status refresh needs:
 * asking queueStatus for each of n queued jobs would simulate the order n times).
 */
export function queueStatuses(ctx: StoreContext): Promise<Map<string, QueueStatus>> {
  return read(ctx, async (tx) => {
    const now = tx.clock.now();
    const rate = await currentMsPerUnit(tx);
    const running = await tx.sql.all<{ startedMs: number; units: number }>(
      `SELECT started_ms AS "startedMs", driving_seconds AS units FROM jobs WHERE state = 'running'`,
    );
    const queued = await tx.sql.all<QueuedJobRef & { id: string; units: number }>(
      `SELECT seq, id, user_id AS "userId", guild_id AS "guildId", driving_seconds AS units FROM jobs WHERE state = 'queued'`,
    );
    const bySeq = new Map(queued.map((q) => [q.seq, q]));
    const order = simulateOrder(queued, await turns(tx, 'user_id'), await turns(tx, 'guild_id')).map((seq) => bySeq.get(seq)!);
    const etas = estimateEtas(
      { nowMs: now, workers: tx.config.workers, msPerUnit: rate, running },
      order.map((q) => q.units),
    );
    return new Map(
      order.map((q, i): [string, QueueStatus] => [
        q.id,
        { state: 'queued', position: i + 1, ahead: i, running: running.length, etaStartMs: etas[i]!.startMs, etaDoneMs: etas[i]!.doneMs },
      ]),
    );
  });
}

/** Ids of queued jobs, oldest first (for refreshing their queue positions). */
export function queuedJobIds(ctx: StoreContext, limit = 500): Promise<string[]> {
  return ctx.sql.column<string>("SELECT id FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT ?", [limit]);
}

/** A queued or running job, as the bot's status messages need it. */
export interface ActiveJob {
  readonly id: string;
  readonly guildId: string;
  readonly state: 'queued' | 'running';
  /** 0–1 while running (the worker's last heartbeat), else null. */
  readonly progress: number | null;
  readonly startedMs: number | null;
}

/** The queued and running jobs, oldest first (at most `limit`). */
export async function activeJobs(ctx: StoreContext, limit = 500): Promise<ActiveJob[]> {
  const rows = await ctx.sql.all<{ id: string; guild_id: string; state: 'queued' | 'running'; progress: number | null; started_ms: number | null }>(
    "SELECT id, guild_id, state, progress, started_ms FROM jobs WHERE state IN ('queued', 'running') ORDER BY seq LIMIT ?",
    [limit],
  );
  return rows.map((r) => ({ id: r.id, guildId: r.guild_id, state: r.state, progress: r.progress, startedMs: r.started_ms }));
}

/** How much work is where: waiting, running, finished but not yet posted. */
export interface JobCounts {
  readonly queued: number;
  readonly running: number;
  readonly awaitingDelivery: number;
}

export async function jobCounts(ctx: StoreContext): Promise<JobCounts> {
  const byState = await ctx.sql.all<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') GROUP BY state");
  const count = (state: string) => Number(byState.find((r) => r.state === state)?.n ?? 0);
  const awaiting = await ctx.sql.value<number>(
    "SELECT COUNT(*) FROM jobs WHERE delivery IN ('pending', 'delivering') AND state IN ('succeeded', 'failed', 'cancelled')",
  );
  return { queued: count('queued'), running: count('running'), awaitingDelivery: Number(awaiting ?? 0) };
}
