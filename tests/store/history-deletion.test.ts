import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Job, type Store, UnsafePathError } from '../../src/store/index.js';
import { tempDir } from '../support/temp-dir.js';
import { enqueueOk, fixture, output, request } from './helpers.js';

function finished(store: Store, over: Parameters<typeof enqueueOk>[1] = {}): Job {
  const job = enqueueOk(store, over);
  const c = store.claimNext('w')!;
  if (c.job.id !== job.id) throw new Error('test setup: another job was claimed');
  return store.complete(c.job.id, c.leaseId, output(store, c.job.id));
}

function filesOf(job: Job): string[] {
  return [job.source.path!, job.driving.path!, job.output?.path ?? ''].filter((p) => p !== '');
}

describe('history', () => {
  it('GIVEN new jobs arriving while a member pages THEN pages run newest first and cursors stay stable both ways', () => {
    const { store } = fixture();
    store.updateGuildSettings('g1', { perUserPerHour: 100, perUserPerDay: 100 }, 'mod');
    const ids = Array.from({ length: 7 }, () => finished(store).id); // ids[6] newest
    finished(store, { userId: 'someone-else' });
    const p1 = store.history('u1', { limit: 3 });
    expect(p1.items.map((j) => j.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(p1.newer).toBeNull();
    // two new generations arrive while the user looks at page 1
    const n1 = finished(store).id;
    const n2 = finished(store).id;
    const p2 = store.history('u1', { cursor: p1.older, limit: 3 });
    expect(p2.items.map((j) => j.id)).toEqual([ids[3], ids[2], ids[1]]);
    const p3 = store.history('u1', { cursor: p2.older, limit: 3 });
    expect(p3.items.map((j) => j.id)).toEqual([ids[0]]);
    expect(p3.older).toBeNull();
    // going back (◀) returns the same page as before, and then the new items
    const back = store.history('u1', { cursor: p3.newer, direction: 'newer', limit: 3 });
    expect(back.items.map((j) => j.id)).toEqual([ids[3], ids[2], ids[1]]);
    const back2 = store.history('u1', { cursor: back.newer, direction: 'newer', limit: 3 });
    expect(back2.items.map((j) => j.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(back2.newer).not.toBeNull();
    expect(store.history('u1', { cursor: back2.newer, direction: 'newer', limit: 3 }).items.map((j) => j.id)).toEqual([n2, n1]);
    expect(store.history('nobody')).toEqual({ items: [], older: null, newer: null });
    expect(store.history('u1', { guildId: 'g2' }).items).toEqual([]);
  });

  it('GIVEN another member THEN a job is neither fetched nor deleted for them; GIVEN its owner THEN it is, with its files and folder', () => {
    const { store } = fixture();
    const job = finished(store);
    expect(store.getJobForOwner(job.id, 'u1')!.id).toBe(job.id);
    expect(store.getJobForOwner(job.id, 'intruder')).toBeNull();
    expect(store.deleteJobForOwner(job.id, 'intruder')).toEqual({ deleted: false, reason: 'not-found' });
    expect(filesOf(job).every((p) => existsSync(p))).toBe(true);
    expect(store.deleteJobForOwner(job.id, 'u1')).toEqual({ deleted: true, jobsDeleted: 1, filesRemoved: 3 });
    expect(filesOf(job).some((p) => existsSync(p))).toBe(false);
    expect(existsSync(store.jobDirectory(job.id))).toBe(false);
    expect(store.getJob(job.id)).toBeNull();
  });

  it('GIVEN a running job THEN its owner cannot delete it (cancel first)', () => {
    const { store } = fixture();
    const job = enqueueOk(store);
    store.claimNext('w');
    expect(store.deleteJobForOwner(job.id, 'u1')).toEqual({ deleted: false, reason: 'running' });
  });

  it("GIVEN forget-me THEN every job, file and the user row go, as reported, the worker loses its lease, and other members' jobs stay", () => {
    const { store } = fixture();
    store.updateGuildSettings('g1', { perUserConcurrent: 5 }, 'mod');
    const done = [finished(store), finished(store, { guildId: 'g2' })];
    const running = enqueueOk(store, { guildId: 'g2' });
    const claim = store.claimNext('w')!;
    expect(claim.job.id).toBe(running.id);
    const queued = enqueueOk(store);
    writeFileSync(join(store.jobDirectory(running.id), 'partial.tmp'), 'half');
    const other = finished(store, { userId: 'u2' });
    const report = store.forgetUser('u1');
    expect(report).toEqual({ jobsDeleted: 4, filesRemoved: 3 * 2 + 2 + 3, userDeleted: true });
    for (const j of [...done, queued, running]) {
      expect(store.getJob(j.id)).toBeNull();
      expect(existsSync(store.jobDirectory(j.id))).toBe(false);
    }
    expect(store.getUser('u1')).toBeUndefined();
    expect(store.history('u1').items).toEqual([]);
    expect(store.heartbeat(running.id, claim.leaseId).alive).toBe(false);
    expect(store.getJob(other.id)).not.toBeNull();
    expect(filesOf(other).every((p) => existsSync(p))).toBe(true);
  });

  it('GIVEN forget-me THEN the jobs are in neither the database file nor its -wal file (no manual checkpoint)', () => {
    const { store } = fixture();
    // What a job row holds of the member's files: their hashes (the user id stays in the 24-hour rate ledger, as documented).
    const job = finished(store, { userId: 'u9' });
    const trace = Buffer.from(job.source.sha256);
    expect(readFileSync(`${store.file}-wal`).includes(trace)).toBe(true);
    store.forgetUser('u9');
    for (const file of [store.file, `${store.file}-wal`]) {
      const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      expect(bytes.includes(trace), file).toBe(false);
    }
  });

  it('GIVEN a moderator purge THEN a member’s jobs go in that guild only, audited', () => {
    const { store } = fixture();
    const here = finished(store);
    const elsewhere = finished(store, { guildId: 'g2' });
    expect(store.purgeUserInGuild('g1', 'u1', 'mod')).toEqual({ jobsDeleted: 1, filesRemoved: 3 });
    expect(store.getJob(here.id)).toBeNull();
    expect(store.getJob(elsewhere.id)).not.toBeNull();
    expect(store.auditLog('g1')[0]).toMatchObject({ action: 'purge.user', actorId: 'mod', targetId: 'u1', detail: { jobs: 1, files: 3 } });
  });

  it('GIVEN input paths outside the data directory (direct, through .., or a symlinked folder) THEN enqueue refuses them and the file there stays', () => {
    const { store, dir } = fixture();
    const outside = tempDir();
    writeFileSync(join(outside, 'precious.txt'), 'keep');
    expect(() => store.enqueue({ ...request(store), source: { path: join(outside, 'precious.txt'), sha256: 'a'.repeat(64), bytes: 4 } })).toThrow(
      UnsafePathError,
    );
    expect(() => store.enqueue({ ...request(store), source: { path: join(dir, '..', 'x'), sha256: 'a'.repeat(64), bytes: 4 } })).toThrow(UnsafePathError);
    // a symlinked folder inside the data dir that leads outside is refused too
    mkdirSync(join(dir, 'jobs'), { recursive: true });
    symlinkSync(outside, join(dir, 'jobs', 'escape'));
    expect(() => store.enqueue({ ...request(store), source: { path: join(dir, 'jobs', 'escape', 'precious.txt'), sha256: 'a'.repeat(64), bytes: 4 } })).toThrow(
      UnsafePathError,
    );
    expect(existsSync(join(outside, 'precious.txt'))).toBe(true);
  });
});
