import { describe, expect, it } from 'vitest';
import { statusText } from '../../src/cli/status-command.js';
import { workerHealth } from '../../src/jobs/worker-health.js';
import type { WorkerStatus } from '../../src/store/index.js';

const HOUR = 3_600_000;
const base: WorkerStatus = {
  workerId: 'gpu-box:4242:abc',
  host: 'gpu-box',
  pid: 4242,
  kind: 'worker',
  models: ['vox', 'default'],
  devices: ['cuda'],
  slots: 2,
  startedMs: 0,
  heartbeatMs: 2 * HOUR,
  currentJobs: ['job1'],
  jobsDone: 38,
  jobsFailed: 2,
  busyMs: 2 * HOUR, // one of two slots busy all along
  stoppedMs: null,
};

describe('workerHealth: what an operator reads of a worker', () => {
  it('GIVEN a worker heartbeating with a job THEN working, its rate per hour and how busy its slots were', () => {
    expect(workerHealth(base, 2 * HOUR + 3000, 60_000)).toMatchObject({
      state: 'working',
      where: 'gpu-box pid 4242',
      lastSeenAgoMs: 3000,
      currentJobs: ['job1'],
      jobsPerHour: 20,
      busyShare: 0.5,
    });
  });
  it('GIVEN no job THEN idle; GIVEN no heartbeat for longer than allowed THEN silent and holding nothing; GIVEN stopped THEN stopped', () => {
    expect(workerHealth({ ...base, currentJobs: [] }, 2 * HOUR, 60_000).state).toBe('idle');
    expect(workerHealth(base, 2 * HOUR + 61_000, 60_000)).toMatchObject({ state: 'silent', currentJobs: [] });
    expect(workerHealth({ ...base, stoppedMs: HOUR }, 3 * HOUR, 60_000)).toMatchObject({ state: 'stopped', jobsPerHour: 40 });
  });
  it('GIVEN a worker in its first minute THEN no rate yet', () => {
    expect(workerHealth({ ...base, heartbeatMs: 30_000 }, 30_000, 60_000)).toMatchObject({ jobsPerHour: null, busyShare: null });
  });
  it('GIVEN a bot process that runs no jobs and a worker THEN the status counts one worker and says the bot runs none', () => {
    const bot = workerHealth({ ...base, workerId: 'bot-host:1:x', kind: 'bot', slots: 0, currentJobs: [], busyMs: 0 }, 2 * HOUR, 60_000);
    const text = statusText('postgres://db:5432/marionette', { queued: 3, running: 1, awaitingDelivery: 0 }, [workerHealth(base, 2 * HOUR, 60_000), bot]);
    expect(text).toContain('Queue: 3 waiting, 1 running, 0 finished and not yet posted');
    expect(text).toContain('Workers: 1 alive');
    expect(text).toContain('runs no jobs itself');
    expect(text).toContain('38 done, 2 failed; 20.0 jobs/h, busy 50%');
  });
});
