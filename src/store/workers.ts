/**
 * The workers table (schema v8; see sqlite/schema-v8.ts): what each worker — the bot's worker threads, or a
 * `marionette worker` process on any host — can run, when it last said it was alive, what it holds now, and
 * what it has done. Each worker writes only its own row.
 */
import type { StoreContext } from './context.js';

export interface WorkerRegistration {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  /** 'bot': worker threads inside the bot process; 'worker': a `marionette worker` process. */
  readonly kind: 'bot' | 'worker';
  readonly models: readonly string[];
  readonly devices: readonly string[];
  readonly slots: number;
}

export interface WorkerReport {
  readonly currentJobs: readonly string[];
  /** Added since the last report. */
  readonly done: number;
  readonly failed: number;
  readonly busyMs: number;
}

export interface WorkerStatus extends WorkerRegistration {
  readonly startedMs: number;
  readonly heartbeatMs: number;
  readonly currentJobs: readonly string[];
  readonly jobsDone: number;
  readonly jobsFailed: number;
  readonly busyMs: number;
  readonly stoppedMs: number | null;
}

interface WorkerRow {
  worker_id: string;
  host: string;
  pid: number;
  kind: 'bot' | 'worker';
  models_json: string;
  devices_json: string;
  slots: number;
  started_ms: number;
  heartbeat_ms: number;
  current_jobs_json: string;
  jobs_done: number;
  jobs_failed: number;
  busy_ms: number;
  stopped_ms: number | null;
}

export async function registerWorker(ctx: StoreContext, w: WorkerRegistration): Promise<void> {
  const now = ctx.clock.now();
  await ctx.sql.run(
    `INSERT INTO workers (worker_id, host, pid, kind, models_json, devices_json, slots, started_ms, heartbeat_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (worker_id) DO UPDATE SET models_json = excluded.models_json, devices_json = excluded.devices_json, slots = excluded.slots,
       heartbeat_ms = excluded.heartbeat_ms, stopped_ms = NULL`,
    [w.workerId, w.host, w.pid, w.kind, JSON.stringify(w.models), JSON.stringify(w.devices), w.slots, now, now],
  );
}

/** The worker is alive: what it holds now, and what it finished since its last report. */
export async function reportWorker(ctx: StoreContext, workerId: string, r: WorkerReport): Promise<void> {
  await ctx.sql.run(
    `UPDATE workers SET heartbeat_ms = ?, current_jobs_json = ?, jobs_done = jobs_done + ?, jobs_failed = jobs_failed + ?, busy_ms = busy_ms + ?
     WHERE worker_id = ?`,
    [ctx.clock.now(), JSON.stringify(r.currentJobs), r.done, r.failed, Math.round(r.busyMs), workerId],
  );
}

export async function stopWorker(ctx: StoreContext, workerId: string): Promise<void> {
  await ctx.sql.run("UPDATE workers SET stopped_ms = ?, current_jobs_json = '[]' WHERE worker_id = ?", [ctx.clock.now(), workerId]);
}

/** Every worker seen since `sinceMs` (default: all), latest heartbeat first. */
export async function listWorkers(ctx: StoreContext, sinceMs = 0): Promise<WorkerStatus[]> {
  const rows = await ctx.sql.all<WorkerRow>('SELECT * FROM workers WHERE heartbeat_ms >= ? ORDER BY heartbeat_ms DESC', [sinceMs]);
  return rows.map((r) => ({
    workerId: r.worker_id,
    host: r.host,
    pid: r.pid,
    kind: r.kind,
    models: JSON.parse(r.models_json) as string[],
    devices: JSON.parse(r.devices_json) as string[],
    slots: r.slots,
    startedMs: r.started_ms,
    heartbeatMs: r.heartbeat_ms,
    currentJobs: JSON.parse(r.current_jobs_json) as string[],
    jobsDone: r.jobs_done,
    jobsFailed: r.jobs_failed,
    busyMs: r.busy_ms,
    stoppedMs: r.stopped_ms,
  }));
}
