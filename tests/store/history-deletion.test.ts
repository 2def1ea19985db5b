import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Job, type Store, UnsafePathError } from '../../src/store/index.js';
import { tempDir } from '../support/temp-dir.js';
import { enqueueOk, fixture, ON_POSTGRES, output, request } from './helpers.js';
import { inOrder, range } from '../support/in-order.js';

async function finished(store: Store, over: Parameters<typeof enqueueOk>[1] = {}): Promise<Job> {
  const job = await enqueueOk(store, over);
  const c = (await store.claimNext('w'))!;
  if (c.job.id !== job.id) throw new Error('test setup: another job was claimed');
  return await store.complete(c.job.id, c.leaseId, output(store, c.job.id));
}

function filesOf(job: Job): string[] {
  return [job.source.path!, job.driving.path!, job.output?.path ?? ''].filter((p) => p !== '');
}

describe('history', () => {
  it('GIVEN new jobs arriving while a member pages THEN pages run newest first and cursors stay stable both ways', async () => {
    const { store } = await fixture();
    await store.updateGuildSettings('g1', { perUserPerHour: 100, perUserPerDay: 100 }, 'mod');
    const ids = await inOrder(range(7), async () => (await finished(store)).id); // ids[6] newest
    await finished(store, { userId: 'someone-else' });
    const p1 = await store.history('u1', { limit: 3 });
    expect(p1.items.map((j) => j.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(p1.newer).toBeNull();
    // two new generations arrive while the user looks at page 1
    const n1 = (await finished(store)).id;
    const n2 = (await finished(store)).id;
    const p2 = await store.history('u1', { cursor: p1.older, limit: 3 });
    expect(p2.items.map((j) => j.id)).toEqual([ids[3], ids[2], ids[1]]);
    const p3 = await store.history('u1', { cursor: p2.older, limit: 3 });
    expect(p3.items.map((j) => j.id)).toEqual([ids[0]]);
    expect(p3.older).toBeNull();
    // going back (◀) returns the same page as before, and then the new items
    const back = await store.history('u1', { cursor: p3.newer, direction: 'newer', limit: 3 });
    expect(back.items.map((j) => j.id)).toEqual([ids[3], ids[2], ids[1]]);
    const back2 = await store.history('u1', { cursor: back.newer, direction: 'newer', limit: 3 });
    expect(back2.items.map((j) => j.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(back2.newer).not.toBeNull();
    expect((await store.history('u1', { cursor: back2.newer, direction: 'newer', limit: 3 })).items.map((j) => j.id)).toEqual([n2, n1]);
    expect(await store.history('nobody')).toEqual({ items: [], older: null, newer: null });
    expect((await store.history('u1', { guildId: 'g2' })).items).toEqual([]);
  });

  it('GIVEN another member THEN a job is neither fetched nor deleted for them; GIVEN its owner THEN it is, with its files and folder', async () => {
    const { store } = await fixture();
    const job = await finished(store);
    expect((await store.getJobForOwner(job.id, 'u1'))!.id).toBe(job.id);
    expect(await store.getJobForOwner(job.id, 'intruder')).toBeNull();
    expect(await store.deleteJobForOwner(job.id, 'intruder')).toEqual({ deleted: false, reason: 'not-found' });
    expect(filesOf(job).every((p) => existsSync(p))).toBe(true);
    expect(await store.deleteJobForOwner(job.id, 'u1')).toEqual({ deleted: true, jobsDeleted: 1, filesRemoved: 3 });
    expect(filesOf(job).some((p) => existsSync(p))).toBe(false);
    expect(existsSync(store.jobDirectory(job.id))).toBe(false);
    expect(await store.getJob(job.id)).toBeNull();
  });

  it('GIVEN a running job THEN its owner cannot delete it (cancel first)', async () => {
    const { store } = await fixture();
    const job = await enqueueOk(store);
    await store.claimNext('w');
    expect(await store.deleteJobForOwner(job.id, 'u1')).toEqual({ deleted: false, reason: 'running' });
  });

  it("GIVEN forget-me THEN every job, file and the user row go, as reported, the worker loses its lease, and other members' jobs stay", async () => {
    const { store } = await fixture();
    await store.updateGuildSettings('g1', { perUserConcurrent: 5 }, 'mod');
    const done = [await finished(store), await finished(store, { guildId: 'g2' })];
    const running = await enqueueOk(store, { guildId: 'g2' });
    const claim = (await store.claimNext('w'))!;
    expect(claim.job.id).toBe(running.id);
    const queued = await enqueueOk(store);
    writeFileSync(join(store.jobDirectory(running.id), 'partial.tmp'), 'half');
    const other = await finished(store, { userId: 'u2' });
    const report = await store.forgetUser('u1');
    expect(report).toEqual({ jobsDeleted: 4, filesRemoved: 3 * 2 + 2 + 3, userDeleted: true });
    for (const j of [...done, queued, running]) {
      expect(await store.getJob(j.id)).toBeNull();
      expect(existsSync(store.jobDirectory(j.id))).toBe(false);
    }
    expect(await store.getUser('u1')).toBeUndefined();
    expect((await store.history('u1')).items).toEqual([]);
    expect((await store.heartbeat(running.id, claim.leaseId)).alive).toBe(false);
    expect(await store.getJob(other.id)).not.toBeNull();
    expect(filesOf(other).every((p) => existsSync(p))).toBe(true);
  });

  it.skipIf(ON_POSTGRES)('GIVEN forget-me THEN the jobs are in neither the database file nor its -wal file (no manual checkpoint)', async () => {
    const { store } = await fixture();
    // What a job row holds of the member's files: their hashes (the user id stays in the 24-hour rate ledger, as documented).
    const job = await finished(store, { userId: 'u9' });
    const trace = Buffer.from(job.source.sha256);
    expect(readFileSync(`${store.file}-wal`).includes(trace)).toBe(true);
    await store.forgetUser('u9');
    for (const file of [store.file, `${store.file}-wal`]) {
      const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      expect(bytes.includes(trace), file).toBe(false);
    }
  });

  it('GIVEN a moderator purge THEN a member’s jobs go in that guild only, audited', async () => {
    const { store } = await fixture();
    const here = await finished(store);
    const elsewhere = await finished(store, { guildId: 'g2' });
    expect(await store.purgeUserInGuild('g1', 'u1', 'mod')).toEqual({ jobsDeleted: 1, filesRemoved: 3 });
    expect(await store.getJob(here.id)).toBeNull();
    expect(await store.getJob(elsewhere.id)).not.toBeNull();
    expect((await store.auditLog('g1'))[0]).toMatchObject({ action: 'purge.user', actorId: 'mod', targetId: 'u1', detail: { jobs: 1, files: 3 } });
  });

  it(
    'GIVEN input paths outside the data directory (direct, through .., or a symlinked folder) THEN enqueue refuses them ' + 'and the file there stays',
    async () => {
      const { store, dir } = await fixture();
      const outside = tempDir();
      writeFileSync(join(outside, 'precious.txt'), 'keep');
      await expect(store.enqueue({ ...request(store), source: { path: join(outside, 'precious.txt'), sha256: 'a'.repeat(64), bytes: 4 } })).rejects.toThrow(
        UnsafePathError,
      );
      await expect(store.enqueue({ ...request(store), source: { path: join(dir, '..', 'x'), sha256: 'a'.repeat(64), bytes: 4 } })).rejects.toThrow(
        UnsafePathError,
      );
      // a symlinked folder inside the data dir that leads outside is refused too
      mkdirSync(join(dir, 'jobs'), { recursive: true });
      symlinkSync(outside, join(dir, 'jobs', 'escape'));
      await expect(
        store.enqueue({ ...request(store), source: { path: join(dir, 'jobs', 'escape', 'precious.txt'), sha256: 'a'.repeat(64), bytes: 4 } }),
      ).rejects.toThrow(UnsafePathError);
      expect(existsSync(join(outside, 'precious.txt'))).toBe(true);
    },
  );
});
