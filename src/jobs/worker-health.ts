import type { WorkerStatus } from '../store/index.js';

/**
 * What an operator reads of one worker (`marionette status`): whether it is alive, what it holds, how much it
 * has done and how busy it is. Pure: from the workers table's row and the time.
 *
 *   working  heartbeating, with jobs
 *   idle     heartbeating, no job
 *   silent   no heartbeat for `silentAfterMs`: crashed, frozen or cut off (its jobs are claimed again after the lease)
 *   stopped  it said it stopped
 */
export type WorkerState = 'working' | 'idle' | 'silent' | 'stopped';

export interface WorkerHealth {
  readonly workerId: string;
  readonly where: string;
  readonly kind: WorkerStatus['kind'];
  readonly state: WorkerState;
  readonly models: readonly string[];
  readonly devices: readonly string[];
  readonly slots: number;
  readonly lastSeenAgoMs: number;
  readonly currentJobs: readonly string[];
  readonly jobsDone: number;
  readonly jobsFailed: number;
  /** Jobs finished (succeeded or failed) per hour of its uptime; null in its first minute. */
  readonly jobsPerHour: number | null;
  /** Share of its slots' time spent on jobs, 0–1; null in its first minute. */
  readonly busyShare: number | null;
}

const MINUTE_MS = 60_000;

export function workerHealth(w: WorkerStatus, nowMs: number, silentAfterMs: number): WorkerHealth {
  const lastSeenAgoMs = Math.max(0, nowMs - w.heartbeatMs);
  const state: WorkerState = w.stoppedMs !== null ? 'stopped' : lastSeenAgoMs > silentAfterMs ? 'silent' : w.currentJobs.length > 0 ? 'working' : 'idle';
  const uptimeMs = (w.stoppedMs ?? w.heartbeatMs) - w.startedMs;
  const measured = uptimeMs >= MINUTE_MS;
  return {
    workerId: w.workerId,
    where: `${w.host} pid ${w.pid}`,
    kind: w.kind,
    state,
    models: w.models,
    devices: w.devices,
    slots: w.slots,
    lastSeenAgoMs,
    currentJobs: state === 'working' ? w.currentJobs : [],
    jobsDone: w.jobsDone,
    jobsFailed: w.jobsFailed,
    jobsPerHour: measured ? ((w.jobsDone + w.jobsFailed) * 3_600_000) / uptimeMs : null,
    busyShare: measured && w.slots > 0 ? Math.min(1, w.busyMs / (uptimeMs * w.slots)) : null,
  };
}
