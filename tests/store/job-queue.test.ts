import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, LeaseLostError, ManualClock, MINUTE_MS, SECOND_MS } from '../../src/store/index.js';
import { tempDir } from '../support/temp-dir.js';
import { enqueueOk, fixture, openStore, output, T0 } from './helpers.js';
import { inOrder, range } from '../support/in-order.js';

const W = 'worker-1';

describe('job lifecycle', () => {
  it('GIVEN the visibility the acknowledgement showed THEN the job keeps it, whatever the server says by the time it is queued', async () => {
    const { store } = await fixture();
    expect((await store.guildSettings('g1')).visibility).toBe('requester');
    expect((await enqueueOk(store, { visibility: 'public' })).visibility).toBe('public');
    expect((await enqueueOk(store, { userId: 'u2' })).visibility).toBe('requester');
  });

  it('GIVEN a job that runs to the end THEN it goes queued → running → succeeded with timestamps, attempts, progress and output', async () => {
    const { store, clock } = await fixture();
    const job = await enqueueOk(store, { seconds: 4 });
    expect(job).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 3, createdMs: T0, delivery: 'pending', visibility: 'requester' });
    clock.advance(1000);
    const claim = (await store.claimNext(W))!;
    expect(claim.job).toMatchObject({ id: job.id, state: 'running', attempts: 1, startedMs: T0 + 1000, leaseOwner: W });
    clock.advance(1000);
    expect(await store.heartbeat(job.id, claim.leaseId, { progress: 0.5 })).toEqual({ alive: true, cancelRequested: false });
    expect((await store.getJob(job.id))!.progress).toBe(0.5);
    clock.advance(1000);
    const done = await store.complete(job.id, claim.leaseId, output(store, job.id));
    expect(done).toMatchObject({ state: 'succeeded', finishedMs: T0 + 3000, leaseOwner: null, output: { bytes: 9, durationMs: 3000 } });
  });

  it('GIVEN a spent claim THEN every further worker transition throws, and the database refuses a state outside the machine', async () => {
    const { store } = await fixture();
    const job = await enqueueOk(store);
    const claim = (await store.claimNext(W))!;
    await store.complete(job.id, claim.leaseId, output(store, job.id));
    // the claim is spent: any further worker transition is refused
    await expect(store.complete(job.id, claim.leaseId, output(store, job.id))).rejects.toThrow(LeaseLostError);
    await expect(store.fail(job.id, claim.leaseId, { error: 'x' })).rejects.toThrow(LeaseLostError);
    await expect(store.cancelRunning(job.id, claim.leaseId)).rejects.toThrow(LeaseLostError);
    expect(await store.requestCancel(job.id, 'u1')).toBe('already-finished');
    expect(await store.claimNext(W)).toBeNull();
    // the database refuses a state outside the machine, and a running row without a lease
    await expect(store.sql.run("UPDATE jobs SET state = 'done'")).rejects.toThrow(/CHECK|check constraint/);
    await expect(store.sql.run("UPDATE jobs SET state = 'running'")).rejects.toThrow(/CHECK|check constraint/);
    expect(IllegalTransitionError).toBeDefined();
  });

  it('GIVEN a non-retryable error THEN it fails at once, keeping its reason as data', async () => {
    const { store } = await fixture();
    const job = await enqueueOk(store);
    const claim = (await store.claimNext(W))!;
    const reason = { code: 'input', message: 'No face was found in the photo.' } as const;
    const failed = await store.fail(job.id, claim.leaseId, { error: 'InputError: no face', reason, retryable: false });
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: 'InputError: no face', failure: { reason, afterRetries: false } });
    expect((await store.getJob(job.id))?.failure).toEqual({ reason, afterRetries: false });
  });

  it('GIVEN a retryable failure THEN it is retried with backoff, then fails after max attempts as an internal failure', async () => {
    const { store, clock } = await fixture({ maxAttempts: 2, backoffBaseMs: 10 * SECOND_MS });
    const job = await enqueueOk(store);
    const c1 = (await store.claimNext(W))!;
    const retry = await store.fail(job.id, c1.leaseId, { error: 'onnx crashed' });
    expect(retry).toMatchObject({ state: 'queued', attempts: 1, lastError: 'onnx crashed', runAfterMs: T0 + 10 * SECOND_MS });
    expect(await store.claimNext(W)).toBeNull(); // backoff
    clock.advance(10 * SECOND_MS);
    const c2 = (await store.claimNext(W))!;
    expect(c2.job.attempts).toBe(2);
    expect(c2.leaseId).not.toBe(c1.leaseId);
    const final = await store.fail(job.id, c2.leaseId, { error: 'onnx crashed again' });
    expect(final).toMatchObject({ state: 'failed', attempts: 2, failure: { reason: { code: 'internal' }, afterRetries: true } });
  });
});

describe('leases', () => {
  it('GIVEN an expired lease THEN it is requeued to run at once (the worker vanished, not the job), then fails as worker-lost', async () => {
    const { store, clock } = await fixture({ leaseMs: MINUTE_MS, maxAttempts: 3, backoffBaseMs: 30 * SECOND_MS });
    const job = await enqueueOk(store);
    const c1 = (await store.claimNext('dead-worker'))!;
    clock.advance(MINUTE_MS - 1);
    expect(await store.recoverStalled()).toEqual({ requeued: [], failed: [], cancelled: [] });
    clock.advance(1);
    expect(await store.recoverStalled()).toEqual({ requeued: [job.id], failed: [], cancelled: [] });
    expect(await store.getJob(job.id)).toMatchObject({ state: 'queued', attempts: 1, runAfterMs: T0 + MINUTE_MS });
    expect(await store.heartbeat(job.id, c1.leaseId)).toEqual({ alive: false, cancelRequested: false });
    await expect(store.complete(job.id, c1.leaseId, output(store, job.id))).rejects.toThrow(LeaseLostError);

    (await store.claimNext('dead-2'))!;
    clock.advance(MINUTE_MS);
    const c3 = (await store.claimNext('dead-3'))!; // claimNext recovers the expired lease itself and may take the job at once
    expect(c3.job).toMatchObject({ id: job.id, attempts: 3 });
    expect((await store.getJob(job.id))?.lastError).toMatch(/stopped heartbeating/);
    clock.advance(MINUTE_MS);
    expect((await store.recoverStalled()).failed).toEqual([job.id]);
    expect(await store.getJob(job.id)).toMatchObject({ state: 'failed', attempts: 3, failure: { reason: { code: 'worker-lost' }, afterRetries: true } });
  });

  it('GIVEN heartbeats within the lease THEN the lease stays alive and nothing is requeued', async () => {
    const { store, clock } = await fixture({ leaseMs: MINUTE_MS });
    const job = await enqueueOk(store);
    const c = (await store.claimNext(W))!;
    for (let i = 0; i < 5; i += 1) {
      clock.advance(50 * SECOND_MS);
      expect((await store.heartbeat(job.id, c.leaseId)).alive).toBe(true);
      expect((await store.recoverStalled()).requeued).toEqual([]);
    }
  });

  it("GIVEN a running job of a dead process on this host THEN start-up requeues it at once; another host's waits for its lease", async () => {
    const dir = tempDir();
    const clock = new ManualClock(T0);
    const store = await openStore(dir, clock);
    const a = await enqueueOk(store, { userId: 'a' });
    const b = await enqueueOk(store, { userId: 'b' });
    await store.claimNext(`${hostname()}:999999999:dead`); // pid that cannot exist
    await store.claimNext('other-host:1:alive');
    await store.close();
    const reopened = await openStore(dir, clock);
    expect(reopened.startupRecovery.requeued).toEqual([a.id]);
    expect((await reopened.getJob(a.id))!.state).toBe('queued');
    expect((await reopened.getJob(b.id))!.state).toBe('running'); // another host's: waits for its lease
    clock.advance(reopened.config.leaseMs);
    expect((await reopened.recoverStalled()).requeued).toEqual([b.id]);
  });

  it('GIVEN two connections claiming in turn THEN each job is claimed exactly once', async () => {
    const dir = tempDir();
    const clock = new ManualClock(T0);
    const s1 = await openStore(dir, clock);
    const s2 = await openStore(dir, clock);
    const ids = new Set(await inOrder([1, 2, 3, 4, 5], async (i) => (await enqueueOk(s1, { userId: `u${i}` })).id));
    const claimed: string[] = [];
    for (;;) {
      const c = await (claimed.length % 2 === 0 ? s1 : s2).claimNext(W);
      if (c === null) break;
      claimed.push(c.job.id);
    }
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(await s2.claimNext(W)).toBeNull();
  });
});

describe('graceful shutdown', () => {
  it('GIVEN SIGTERM while a job runs THEN its claim is given back without spending an attempt, and with a cancel pending it ends cancelled', async () => {
    const { store } = await fixture();
    const job = await enqueueOk(store);
    const c = (await store.claimNext(W))!;
    const back = await store.releaseClaim(job.id, c.leaseId);
    expect(back).toMatchObject({ state: 'queued', attempts: 0, runAfterMs: T0, leaseOwner: null, lastError: 'interrupted: the worker shut down' });
    await expect(store.releaseClaim(job.id, c.leaseId)).rejects.toThrow(LeaseLostError);
    const again = (await store.claimNext(W))!;
    expect(again.job).toMatchObject({ id: job.id, attempts: 1 });
    await store.requestCancel(job.id, 'u1');
    expect((await store.releaseClaim(job.id, again.leaseId)).state).toBe('cancelled');
  });
});

describe('cancel', () => {
  it('GIVEN a cancel THEN only the requester may, a queued job stops at once and a running one through its worker', async () => {
    const { store } = await fixture();
    const q = await enqueueOk(store, { userId: 'a' });
    const r = await enqueueOk(store, { userId: 'b' });
    const claim = (await store.claimNext(W))!;
    expect(claim.job.id).toBe(q.id);
    expect(await store.requestCancel(r.id, 'a')).toBe('not-found');
    expect(await store.requestCancel(r.id, 'b')).toBe('cancelled');
    expect(await store.getJob(r.id)).toMatchObject({ state: 'cancelled', delivery: 'pending' });
    expect(await store.requestCancel(q.id, 'a')).toBe('cancel-requested');
    expect(await store.heartbeat(q.id, claim.leaseId)).toEqual({ alive: true, cancelRequested: true });
    expect((await store.cancelRunning(q.id, claim.leaseId)).state).toBe('cancelled');
  });

  it('GIVEN a cancel requested while the clip was being finished THEN complete() ends the job cancelled, with no output to deliver', async () => {
    const { store } = await fixture();
    const job = await enqueueOk(store);
    const claim = (await store.claimNext(W))!;
    await store.requestCancel(job.id, 'u1');
    const done = await store.complete(job.id, claim.leaseId, output(store, job.id));
    expect(done).toMatchObject({ state: 'cancelled', output: null });
    expect(await store.getJob(job.id)).toMatchObject({ state: 'cancelled' });
  });

  it('GIVEN an expired lease with a cancel pending THEN the job is cancelled, not retried', async () => {
    const { store, clock } = await fixture();
    const job = await enqueueOk(store);
    await store.claimNext(W);
    await store.requestCancel(job.id, 'u1');
    clock.advance(store.config.leaseMs);
    expect((await store.recoverStalled()).cancelled).toEqual([job.id]);
  });
});

describe('fairness and queue position', () => {
  it('GIVEN A queued 10 jobs before B queued one THEN B is served second, and queue positions and times say so', async () => {
    const { store, clock } = await fixture({ fallbackMsPerDrivingSecond: 1000 });
    await store.updateGuildSettings('g1', { perUserConcurrent: 10, perUserPerHour: 10 }, 'mod');
    const a = await inOrder(range(10), async () => await enqueueOk(store, { userId: 'A', seconds: 2 }));
    const b = await enqueueOk(store, { userId: 'B', seconds: 2 });
    expect(await store.queueStatus(a[0]!.id)).toMatchObject({ position: 1, ahead: 0 });
    expect(await store.queueStatus(b.id)).toMatchObject({ position: 2, ahead: 1, etaStartMs: T0 + 2000, etaDoneMs: T0 + 4000 });
    expect(await store.queueStatus(a[1]!.id)).toMatchObject({ position: 3 });
    const first = (await store.claimNext(W))!;
    expect(first.job.id).toBe(a[0]!.id);
    expect(await store.queueStatus(b.id)).toMatchObject({ position: 1, ahead: 0, running: 1, etaStartMs: T0 + 2000 });
    expect(await store.queueStatus(first.job.id)).toMatchObject({ state: 'running', position: 0, etaDoneMs: T0 + 2000 });
    clock.advance(3000);
    await store.complete(first.job.id, first.leaseId, output(store, first.job.id)); // took 3 s for 2 s of video
    expect((await store.claimNext(W))!.job.id).toBe(b.id);
    expect((await store.claimNext(W))!.job.id).toBe(a[1]!.id);
    // speed is now learned from history: 1.5 s per driving second
    expect(await store.queueStatus(a[2]!.id)).toMatchObject({ position: 1, running: 2 });
    expect(await store.queueStatus(b.id)).toMatchObject({ state: 'running' });
    expect(await store.queueStatus('nope')).toBeNull();
  });

  it('GIVEN a mixed queue THEN every job’s position and times, asked all at once, are what asking for each one says', async () => {
    const { store } = await fixture({ fallbackMsPerDrivingSecond: 1000 });
    for (const g of ['g1', 'g2']) await store.updateGuildSettings(g, { perUserConcurrent: 10, perUserPerHour: 10 }, 'mod');
    const jobs = await inOrder(
      range(12),
      async (i) => await enqueueOk(store, { userId: `u${i % 4}`, guildId: i % 3 === 0 ? 'g2' : 'g1', seconds: 1 + (i % 5) }),
    );
    await store.claimNext(W); // one running: every estimate starts after it
    const all = await store.queueStatuses();
    expect(all.size).toBe(11);
    for (const job of jobs) {
      const one = await store.queueStatus(job.id);
      if (one?.state === 'running') expect(all.has(job.id)).toBe(false);
      else expect(all.get(job.id)).toEqual(one);
    }
    expect([...all.values()].map((s) => s.position).sort((x, y) => x - y)).toEqual(range(11).map((i) => i + 1));
  });

  it('GIVEN three jobs in one guild and one in another THEN the guilds take turns', async () => {
    const { store } = await fixture();
    for (const g of ['g1', 'g2']) await store.updateGuildSettings(g, { perUserConcurrent: 10 }, 'mod');
    const g1 = await inOrder([1, 2, 3], async (i) => await enqueueOk(store, { userId: `x${i}`, guildId: 'g1' }));
    const g2 = await enqueueOk(store, { userId: 'y', guildId: 'g2' });
    const order = await inOrder([0, 1, 2, 3], async () => (await store.claimNext(W))!.job.id);
    expect(order).toEqual([g1[0]!.id, g2.id, g1[1]!.id, g1[2]!.id]);
  });
});
