import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, LeaseLostError, ManualClock, MINUTE_MS, SECOND_MS } from '../../src/store/index.js';
import { tempDir } from '../support/temp-dir.js';
import { enqueueOk, fixture, openStore, output, T0 } from './helpers.js';

const W = 'worker-1';

describe('job lifecycle', () => {
  it('GIVEN the visibility the acknowledgement showed THEN the job keeps it, whatever the server says by the time it is queued', () => {
    const { store } = fixture();
    expect(store.guildSettings('g1').visibility).toBe('requester');
    expect(enqueueOk(store, { visibility: 'public' }).visibility).toBe('public');
    expect(enqueueOk(store, { userId: 'u2' }).visibility).toBe('requester');
  });

  it('GIVEN a job that runs to the end THEN it goes queued → running → succeeded with timestamps, attempts, progress and output', () => {
    const { store, clock } = fixture();
    const job = enqueueOk(store, { seconds: 4 });
    expect(job).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 3, createdMs: T0, delivery: 'pending', visibility: 'requester' });
    clock.advance(1000);
    const claim = store.claimNext(W)!;
    expect(claim.job).toMatchObject({ id: job.id, state: 'running', attempts: 1, startedMs: T0 + 1000, leaseOwner: W });
    clock.advance(1000);
    expect(store.heartbeat(job.id, claim.leaseId, { progress: 0.5 })).toEqual({ alive: true, cancelRequested: false });
    expect(store.getJob(job.id)!.progress).toBe(0.5);
    clock.advance(1000);
    const done = store.complete(job.id, claim.leaseId, output(store, job.id));
    expect(done).toMatchObject({ state: 'succeeded', finishedMs: T0 + 3000, leaseOwner: null, output: { bytes: 9, durationMs: 3000 } });
  });

  it('GIVEN a spent claim THEN every further worker transition throws, and the database refuses a state outside the machine', () => {
    const { store } = fixture();
    const job = enqueueOk(store);
    const claim = store.claimNext(W)!;
    store.complete(job.id, claim.leaseId, output(store, job.id));
    // the claim is spent: any further worker transition is refused
    expect(() => store.complete(job.id, claim.leaseId, output(store, job.id))).toThrow(LeaseLostError);
    expect(() => store.fail(job.id, claim.leaseId, { error: 'x' })).toThrow(LeaseLostError);
    expect(() => store.cancelRunning(job.id, claim.leaseId)).toThrow(LeaseLostError);
    expect(store.requestCancel(job.id, 'u1')).toBe('already-finished');
    expect(store.claimNext(W)).toBeNull();
    // the database refuses a state outside the machine, and a running row without a lease
    expect(() => store.db.prepare("UPDATE jobs SET state = 'done'").run()).toThrow(/CHECK/);
    expect(() => store.db.prepare("UPDATE jobs SET state = 'running'").run()).toThrow(/CHECK/);
    expect(IllegalTransitionError).toBeDefined();
  });

  it('GIVEN a non-retryable error THEN it fails at once, keeping its reason as data', () => {
    const { store } = fixture();
    const job = enqueueOk(store);
    const claim = store.claimNext(W)!;
    const reason = { code: 'input', message: 'No face was found in the photo.' } as const;
    const failed = store.fail(job.id, claim.leaseId, { error: 'InputError: no face', reason, retryable: false });
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: 'InputError: no face', failure: { reason, afterRetries: false } });
    expect(store.getJob(job.id)?.failure).toEqual({ reason, afterRetries: false });
  });

  it('GIVEN a retryable failure THEN it is retried with backoff, then fails after max attempts as an internal failure', () => {
    const { store, clock } = fixture({ maxAttempts: 2, backoffBaseMs: 10 * SECOND_MS });
    const job = enqueueOk(store);
    const c1 = store.claimNext(W)!;
    const retry = store.fail(job.id, c1.leaseId, { error: 'onnx crashed' });
    expect(retry).toMatchObject({ state: 'queued', attempts: 1, lastError: 'onnx crashed', runAfterMs: T0 + 10 * SECOND_MS });
    expect(store.claimNext(W)).toBeNull(); // backoff
    clock.advance(10 * SECOND_MS);
    const c2 = store.claimNext(W)!;
    expect(c2.job.attempts).toBe(2);
    expect(c2.leaseId).not.toBe(c1.leaseId);
    const final = store.fail(job.id, c2.leaseId, { error: 'onnx crashed again' });
    expect(final).toMatchObject({ state: 'failed', attempts: 2, failure: { reason: { code: 'internal' }, afterRetries: true } });
  });
});

describe('leases', () => {
  it('GIVEN an expired lease THEN it is requeued to run at once (the worker vanished, not the job), then fails as worker-lost', () => {
    const { store, clock } = fixture({ leaseMs: MINUTE_MS, maxAttempts: 3, backoffBaseMs: 30 * SECOND_MS });
    const job = enqueueOk(store);
    const c1 = store.claimNext('dead-worker')!;
    clock.advance(MINUTE_MS - 1);
    expect(store.recoverStalled()).toEqual({ requeued: [], failed: [], cancelled: [] });
    clock.advance(1);
    expect(store.recoverStalled()).toEqual({ requeued: [job.id], failed: [], cancelled: [] });
    expect(store.getJob(job.id)).toMatchObject({ state: 'queued', attempts: 1, runAfterMs: T0 + MINUTE_MS });
    expect(store.heartbeat(job.id, c1.leaseId)).toEqual({ alive: false, cancelRequested: false });
    expect(() => store.complete(job.id, c1.leaseId, output(store, job.id))).toThrow(LeaseLostError);

    store.claimNext('dead-2')!;
    clock.advance(MINUTE_MS);
    const c3 = store.claimNext('dead-3')!; // claimNext recovers the expired lease itself and may take the job at once
    expect(c3.job).toMatchObject({ id: job.id, attempts: 3 });
    expect(store.getJob(job.id)?.lastError).toMatch(/stopped heartbeating/);
    clock.advance(MINUTE_MS);
    expect(store.recoverStalled().failed).toEqual([job.id]);
    expect(store.getJob(job.id)).toMatchObject({ state: 'failed', attempts: 3, failure: { reason: { code: 'worker-lost' }, afterRetries: true } });
  });

  it('GIVEN heartbeats within the lease THEN the lease stays alive and nothing is requeued', () => {
    const { store, clock } = fixture({ leaseMs: MINUTE_MS });
    const job = enqueueOk(store);
    const c = store.claimNext(W)!;
    for (let i = 0; i < 5; i += 1) {
      clock.advance(50 * SECOND_MS);
      expect(store.heartbeat(job.id, c.leaseId).alive).toBe(true);
      expect(store.recoverStalled().requeued).toEqual([]);
    }
  });

  it("GIVEN a running job of a dead process on this host THEN start-up requeues it at once; another host's waits for its lease", () => {
    const dir = tempDir();
    const clock = new ManualClock(T0);
    const store = openStore(dir, clock);
    const a = enqueueOk(store, { userId: 'a' });
    const b = enqueueOk(store, { userId: 'b' });
    store.claimNext(`${hostname()}:999999999:dead`); // pid that cannot exist
    store.claimNext('other-host:1:alive');
    store.close();
    const reopened = openStore(dir, clock);
    expect(reopened.startupRecovery.requeued).toEqual([a.id]);
    expect(reopened.getJob(a.id)!.state).toBe('queued');
    expect(reopened.getJob(b.id)!.state).toBe('running'); // another host's: waits for its lease
    clock.advance(reopened.config.leaseMs);
    expect(reopened.recoverStalled().requeued).toEqual([b.id]);
  });

  it('GIVEN two connections claiming in turn THEN each job is claimed exactly once', () => {
    const dir = tempDir();
    const clock = new ManualClock(T0);
    const s1 = openStore(dir, clock);
    const s2 = openStore(dir, clock);
    const ids = new Set([1, 2, 3, 4, 5].map((i) => enqueueOk(s1, { userId: `u${i}` }).id));
    const claimed: string[] = [];
    for (;;) {
      const c = (claimed.length % 2 === 0 ? s1 : s2).claimNext(W);
      if (c === null) break;
      claimed.push(c.job.id);
    }
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(s2.claimNext(W)).toBeNull();
  });
});

describe('graceful shutdown', () => {
  it('GIVEN SIGTERM while a job runs THEN its claim is given back without spending an attempt, and with a cancel pending it ends cancelled', () => {
    const { store } = fixture();
    const job = enqueueOk(store);
    const c = store.claimNext(W)!;
    const back = store.releaseClaim(job.id, c.leaseId);
    expect(back).toMatchObject({ state: 'queued', attempts: 0, runAfterMs: T0, leaseOwner: null, lastError: 'interrupted: the worker shut down' });
    expect(() => store.releaseClaim(job.id, c.leaseId)).toThrow(LeaseLostError);
    const again = store.claimNext(W)!;
    expect(again.job).toMatchObject({ id: job.id, attempts: 1 });
    store.requestCancel(job.id, 'u1');
    expect(store.releaseClaim(job.id, again.leaseId).state).toBe('cancelled');
  });
});

describe('cancel', () => {
  it('GIVEN a cancel THEN only the requester may, a queued job stops at once and a running one through its worker', () => {
    const { store } = fixture();
    const q = enqueueOk(store, { userId: 'a' });
    const r = enqueueOk(store, { userId: 'b' });
    const claim = store.claimNext(W)!;
    expect(claim.job.id).toBe(q.id);
    expect(store.requestCancel(r.id, 'a')).toBe('not-found');
    expect(store.requestCancel(r.id, 'b')).toBe('cancelled');
    expect(store.getJob(r.id)).toMatchObject({ state: 'cancelled', delivery: 'pending' });
    expect(store.requestCancel(q.id, 'a')).toBe('cancel-requested');
    expect(store.heartbeat(q.id, claim.leaseId)).toEqual({ alive: true, cancelRequested: true });
    expect(store.cancelRunning(q.id, claim.leaseId).state).toBe('cancelled');
  });

  it('GIVEN a cancel requested while the clip was being finished THEN complete() ends the job cancelled, with no output to deliver', () => {
    const { store } = fixture();
    const job = enqueueOk(store);
    const claim = store.claimNext(W)!;
    store.requestCancel(job.id, 'u1');
    const done = store.complete(job.id, claim.leaseId, output(store, job.id));
    expect(done).toMatchObject({ state: 'cancelled', output: null });
    expect(store.getJob(job.id)).toMatchObject({ state: 'cancelled' });
  });

  it('GIVEN an expired lease with a cancel pending THEN the job is cancelled, not retried', () => {
    const { store, clock } = fixture();
    const job = enqueueOk(store);
    store.claimNext(W);
    store.requestCancel(job.id, 'u1');
    clock.advance(store.config.leaseMs);
    expect(store.recoverStalled().cancelled).toEqual([job.id]);
  });
});

describe('fairness and queue position', () => {
  it('GIVEN A queued 10 jobs before B queued one THEN B is served second, and queue positions and times say so', () => {
    const { store, clock } = fixture({ fallbackMsPerDrivingSecond: 1000 });
    store.updateGuildSettings('g1', { perUserConcurrent: 10, perUserPerHour: 10 }, 'mod');
    const a = Array.from({ length: 10 }, () => enqueueOk(store, { userId: 'A', seconds: 2 }));
    const b = enqueueOk(store, { userId: 'B', seconds: 2 });
    expect(store.queueStatus(a[0]!.id)).toMatchObject({ position: 1, ahead: 0 });
    expect(store.queueStatus(b.id)).toMatchObject({ position: 2, ahead: 1, etaStartMs: T0 + 2000, etaDoneMs: T0 + 4000 });
    expect(store.queueStatus(a[1]!.id)).toMatchObject({ position: 3 });
    const first = store.claimNext(W)!;
    expect(first.job.id).toBe(a[0]!.id);
    expect(store.queueStatus(b.id)).toMatchObject({ position: 1, ahead: 0, running: 1, etaStartMs: T0 + 2000 });
    expect(store.queueStatus(first.job.id)).toMatchObject({ state: 'running', position: 0, etaDoneMs: T0 + 2000 });
    clock.advance(3000);
    store.complete(first.job.id, first.leaseId, output(store, first.job.id)); // took 3 s for 2 s of video
    expect(store.claimNext(W)!.job.id).toBe(b.id);
    expect(store.claimNext(W)!.job.id).toBe(a[1]!.id);
    // speed is now learned from history: 1.5 s per driving second
    expect(store.queueStatus(a[2]!.id)).toMatchObject({ position: 1, running: 2 });
    expect(store.queueStatus(b.id)).toMatchObject({ state: 'running' });
    expect(store.queueStatus('nope')).toBeNull();
  });

  it('GIVEN three jobs in one guild and one in another THEN the guilds take turns', () => {
    const { store } = fixture();
    for (const g of ['g1', 'g2']) store.updateGuildSettings(g, { perUserConcurrent: 10 }, 'mod');
    const g1 = [1, 2, 3].map((i) => enqueueOk(store, { userId: `x${i}`, guildId: 'g1' }));
    const g2 = enqueueOk(store, { userId: 'y', guildId: 'g2' });
    const order = [0, 1, 2, 3].map(() => store.claimNext(W)!.job.id);
    expect(order).toEqual([g1[0]!.id, g2.id, g1[1]!.id, g1[2]!.id]);
  });
});
