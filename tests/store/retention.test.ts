import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, newJobId, type Job, type Store } from '../../src/store/index.js';
import { enqueueOk, fixture, output, T0 } from './helpers.js';

async function finished(store: Store, over: Parameters<typeof enqueueOk>[1] = {}): Promise<Job> {
  const job = await enqueueOk(store, over);
  const c = (await store.claimNext('w'))!;
  if (c.job.id !== job.id) throw new Error(`expected to claim ${job.id}, claimed ${c.job.id}`);
  return await store.complete(c.job.id, c.leaseId, output(store, c.job.id));
}

describe('retention sweeper', () => {
  it(
    "GIVEN finished jobs older than their guild's retention THEN the sweep deletes their files and keeps a tombstone in history; " + 'younger ones stay',
    async () => {
      const { store, clock } = await fixture();
      await store.updateGuildSettings('g2', { retentionDays: 1 }, 'mod');
      const old = await finished(store); // g1: default 7 days
      const short = await finished(store, { userId: 'u2', guildId: 'g2' });
      clock.advance(DAY_MS);
      const fresh = await finished(store, { userId: 'u3' });
      expect(await store.sweep()).toMatchObject({ expired: 1, filesRemoved: 3 });
      expect(await store.getJob(short.id)).toMatchObject({
        expiredMs: T0 + DAY_MS,
        source: { path: null, sha256: short.source.sha256 },
        output: { path: null },
      });
      expect(existsSync(store.jobDirectory(short.id))).toBe(false);
      expect(existsSync(old.output!.path!)).toBe(true);
      clock.set(T0 + 7 * DAY_MS);
      expect(await store.sweep()).toMatchObject({ expired: 1 });
      expect((await store.getJob(old.id))!.expiredMs).toBe(T0 + 7 * DAY_MS);
      expect(existsSync(fresh.output!.path!)).toBe(true);
      // the tombstone still shows in history and says it expired
      expect((await store.history('u1')).items[0]).toMatchObject({ id: old.id, state: 'succeeded', expiredMs: T0 + 7 * DAY_MS });
      expect(await store.sweep()).toMatchObject({ expired: 0, filesRemoved: 0 });
    },
  );

  it('GIVEN a job whose files cannot be removed THEN it is reported and passed over, and the rest of the sweep still happens', async () => {
    const { store, clock } = await fixture();
    const stuck = await finished(store); // finished first: the sweep meets it first
    const others = [await finished(store, { userId: 'u2' }), await finished(store, { userId: 'u3' })];
    // Its output path now names a folder with a file in it: removing "a file" there refuses.
    rmSync(stuck.output!.path!);
    mkdirSync(stuck.output!.path!);
    writeFileSync(join(stuck.output!.path!, 'inside'), 'x');
    clock.advance(8 * DAY_MS);
    const report = await store.sweep({ batch: 1 });
    expect(report).toMatchObject({ expired: 2, filesRemoved: 6 });
    expect(report.failures).toEqual([{ jobId: stuck.id, error: expect.stringMatching(/directory/) as unknown as string }]);
    for (const j of others) expect((await store.getJob(j.id))!.expiredMs).not.toBeNull();
    expect((await store.getJob(stuck.id))!.expiredMs).toBeNull();
  });

  it('GIVEN queued and running jobs of any age THEN the sweep leaves them and their files alone', async () => {
    const { store, clock } = await fixture();
    await store.updateGuildSettings('g1', { perUserConcurrent: 2 }, 'mod');
    const q = await enqueueOk(store);
    await store.claimNext('w', 100 * DAY_MS);
    const r = await enqueueOk(store);
    clock.advance(30 * DAY_MS);
    await store.sweep();
    expect((await store.getJob(q.id))!.expiredMs).toBeNull();
    expect(existsSync(r.source.path!)).toBe(true);
  });

  it('GIVEN a job folder with no job THEN the sweep removes it after the grace period, and leaves fresh ones, real jobs and other folders', async () => {
    const { store, dir } = await fixture();
    const kept = await finished(store);
    const orphan = store.jobDirectory(newJobId(T0));
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'download.part'), 'x');
    mkdirSync(join(dir, 'jobs', 'not-a-job-id'));
    expect((await store.sweep()).orphanDirsRemoved).toBe(0); // too fresh: maybe a download in progress
    const old = (T0 - 2 * HOUR_MS) / 1000;
    utimesSync(orphan, old, old);
    utimesSync(store.jobDirectory(kept.id), old, old);
    expect((await store.sweep()).orphanDirsRemoved).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(store.jobDirectory(kept.id))).toBe(true);
    expect(existsSync(join(dir, 'jobs', 'not-a-job-id'))).toBe(true);
  });
});
