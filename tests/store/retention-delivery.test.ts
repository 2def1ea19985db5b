import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, newJobId, type Job, type Store } from '../../src/store/index.js';
import { enqueueOk, fixture, output, T0 } from './helpers.js';

const TOKEN = 'aW50ZXJhY3Rpb24.SECRET-TOKEN-DO-NOT-LEAK';

function finished(store: Store, over: Parameters<typeof enqueueOk>[1] = {}): Job {
  const job = enqueueOk(store, over);
  const c = store.claimNext('w')!;
  if (c.job.id !== job.id) throw new Error(`expected to claim ${job.id}, claimed ${c.job.id}`);
  return store.complete(c.job.id, c.leaseId, output(store, c.job.id));
}

describe('retention sweeper', () => {
  it("deletes files older than the guild's retention and keeps a tombstone", () => {
    const { store, clock } = fixture();
    store.updateGuildSettings('g2', { retentionDays: 1 }, 'mod');
    const old = finished(store); // g1: default 7 days
    const short = finished(store, { userId: 'u2', guildId: 'g2' });
    clock.advance(DAY_MS);
    const fresh = finished(store, { userId: 'u3' });
    expect(store.sweep()).toMatchObject({ expired: 1, filesRemoved: 3 });
    expect(store.getJob(short.id)).toMatchObject({ expiredMs: T0 + DAY_MS, source: { path: null, sha256: short.source.sha256 }, output: { path: null } });
    expect(existsSync(store.jobDirectory(short.id))).toBe(false);
    expect(existsSync(old.output!.path!)).toBe(true);
    clock.set(T0 + 7 * DAY_MS);
    expect(store.sweep()).toMatchObject({ expired: 1 });
    expect(store.getJob(old.id)!.expiredMs).toBe(T0 + 7 * DAY_MS);
    expect(existsSync(fresh.output!.path!)).toBe(true);
    // the tombstone still shows in history and says it expired
    expect(store.history('u1').items[0]).toMatchObject({ id: old.id, state: 'succeeded', expiredMs: T0 + 7 * DAY_MS });
    expect(store.sweep()).toMatchObject({ expired: 0, filesRemoved: 0 });
  });

  it('GIVEN a job whose files cannot be removed THEN it is reported and passed over, and the rest of the sweep still happens', () => {
    const { store, clock } = fixture();
    const stuck = finished(store); // finished first: the sweep meets it first
    const others = [finished(store, { userId: 'u2' }), finished(store, { userId: 'u3' })];
    // Its output path now names a folder with a file in it: removing "a file" there refuses.
    rmSync(stuck.output!.path!);
    mkdirSync(stuck.output!.path!);
    writeFileSync(join(stuck.output!.path!, 'inside'), 'x');
    clock.advance(8 * DAY_MS);
    const report = store.sweep({ batch: 1 });
    expect(report).toMatchObject({ expired: 2, filesRemoved: 6 });
    expect(report.failures).toEqual([{ jobId: stuck.id, error: expect.stringMatching(/directory/) as unknown as string }]);
    for (const j of others) expect(store.getJob(j.id)!.expiredMs).not.toBeNull();
    expect(store.getJob(stuck.id)!.expiredMs).toBeNull();
  });

  it('leaves queued and running jobs alone whatever their age', () => {
    const { store, clock } = fixture();
    store.updateGuildSettings('g1', { perUserConcurrent: 2 }, 'mod');
    const q = enqueueOk(store);
    store.claimNext('w', 100 * DAY_MS);
    const r = enqueueOk(store);
    clock.advance(30 * DAY_MS);
    store.sweep();
    expect(store.getJob(q.id)!.expiredMs).toBeNull();
    expect(existsSync(r.source.path!)).toBe(true);
  });

  it('removes job folders that have no job after the grace period', () => {
    const { store, dir } = fixture();
    const kept = finished(store);
    const orphan = store.jobDirectory(newJobId(T0));
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'download.part'), 'x');
    mkdirSync(join(dir, 'jobs', 'not-a-job-id'));
    expect(store.sweep().orphanDirsRemoved).toBe(0); // too fresh: maybe a download in progress
    const old = (T0 - 2 * HOUR_MS) / 1000;
    utimesSync(orphan, old, old);
    utimesSync(store.jobDirectory(kept.id), old, old);
    expect(store.sweep().orphanDirsRemoved).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(store.jobDirectory(kept.id))).toBe(true);
    expect(existsSync(join(dir, 'jobs', 'not-a-job-id'))).toBe(true);
  });
});

describe('delivery and secrets', () => {
  it('hands out the token only while usable and delivers exactly once', () => {
    const { store, clock } = fixture();
    const job = enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
    expect(JSON.stringify(job)).not.toContain(TOKEN);
    expect(store.interactionToken(job.id)).toBe(TOKEN);
    expect(store.beginDelivery(job.id, 'interaction')).toEqual({ ok: false, reason: 'not-finished' });
    const c = store.claimNext('w')!;
    store.complete(job.id, c.leaseId, output(store, job.id));
    expect(store.pendingDeliveries().tasks).toMatchObject([{ job: { id: job.id }, inDoubt: false, tokenUsable: true }]);
    const start = store.beginDelivery(job.id, 'interaction');
    expect(start).toMatchObject({ ok: true, nonce: job.id, token: TOKEN, job: { delivery: 'delivering', deliveryAttempts: 1 } });
    // the process dies here; after a restart the delivery is in doubt
    expect(store.pendingDeliveries().tasks).toMatchObject([{ inDoubt: true }]);
    const delivered = store.markDelivered(job.id, 'interaction', 'm1');
    expect(delivered).toMatchObject({ delivery: 'interaction', deliveryMessageId: 'm1', deliveredMs: clock.now() });
    expect(store.interactionToken(job.id)).toBeNull(); // cleared once delivered
    expect(store.pendingDeliveries().tasks).toEqual([]);
    expect(() => store.beginDelivery(job.id, 'channel')).toThrow(/Illegal delivery transition/);
    expect(() => store.markDelivered(job.id, 'dm', 'm2')).toThrow(/Illegal delivery transition/);
  });

  it('falls back when the token expired, and records undeliverable jobs', () => {
    const { store, clock } = fixture();
    const job = enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
    clock.advance(15 * MINUTE_MS - 30_000); // inside the safety margin
    expect(store.interactionToken(job.id)).toBeNull();
    const c = store.claimNext('w')!;
    store.fail(job.id, c.leaseId, { error: 'bad input', reason: { code: 'input', message: 'The video has no frames.' }, retryable: false });
    expect(store.pendingDeliveries().tasks).toMatchObject([{ tokenUsable: false, job: { state: 'failed' } }]);
    expect(store.beginDelivery(job.id, 'interaction')).toEqual({ ok: false, reason: 'token-expired' });
    expect(store.beginDelivery(job.id, 'channel')).toMatchObject({ ok: true, token: null });
    expect(store.beginDelivery(job.id, 'dm')).toMatchObject({ ok: true, job: { deliveryVia: 'dm', deliveryAttempts: 2 } });
    expect(store.markDeliveryFailed(job.id, 'DMs closed')).toMatchObject({ delivery: 'failed', deliveryError: 'DMs closed' });
    clock.advance(MINUTE_MS);
    expect(store.sweep().tokensCleared).toBe(0); // already deleted when delivery ended
    const other = enqueueOk(store, { userId: 'u2', interaction: { id: 'i2', token: TOKEN, createdMs: clock.now() } });
    clock.advance(16 * MINUTE_MS);
    expect(store.sweep().tokensCleared).toBe(1);
    expect(store.db.prepare('SELECT COUNT(*) FROM interaction_tokens').pluck().get()).toBe(0);
    expect(store.getJob(other.id)!.state).toBe('queued');
  });

  it('leaves no trace of a cleared token in the database file (secure_delete)', () => {
    const { store } = fixture();
    const job = enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
    const c = store.claimNext('w')!;
    store.complete(job.id, c.leaseId, output(store, job.id));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(store.file).includes(Buffer.from(TOKEN))).toBe(true);
    store.beginDelivery(job.id, 'interaction');
    store.markDelivered(job.id, 'interaction', 'm1');
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(store.file).includes(Buffer.from(TOKEN))).toBe(false);
    expect(readFileSync(`${store.file}-wal`).includes(Buffer.from(TOKEN))).toBe(false);
  });

  it('exports dumps and database copies without any token', () => {
    const { store, dir } = fixture();
    const job = enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
    store.updateGuildSettings('g1', { retentionDays: 3 }, 'mod');
    const dump = store.exportRedacted('g1');
    expect(dump.jobs.map((j) => j.id)).toEqual([job.id]);
    expect(dump.settings[0]).toMatchObject({ guildId: 'g1', retentionDays: 3 });
    expect(dump.audit).toHaveLength(1);
    expect(JSON.stringify(dump)).not.toContain(TOKEN);
    expect(JSON.stringify(store.exportRedacted())).not.toContain(TOKEN);
    const copy = join(dir, 'redacted.sqlite');
    store.writeRedactedCopy(copy);
    expect(readFileSync(copy).includes(Buffer.from(TOKEN))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('redacted.sqlite'))).toEqual(['redacted.sqlite']);
    const db = new Database(copy, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM interaction_tokens').pluck().get()).toBe(0);
    db.close();
    expect(() => store.writeRedactedCopy(copy)).toThrow(/overwrite/);
    expect(store.interactionToken(job.id)).toBe(TOKEN); // the live database keeps it
  });
});

describe('intakes (commands between acknowledgement and enqueue)', () => {
  it('GIVEN open intakes at start-up THEN they are taken once, with the token only while it is usable, and never exported', () => {
    const { store, clock, dir } = fixture();
    store.openIntake({
      interactionId: '111111111111111111',
      userId: 'u1',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-fresh-abcdef',
      createdMs: clock.now(),
    });
    store.openIntake({
      interactionId: '222222222222222222',
      userId: 'u2',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-stale-abcdef',
      createdMs: clock.now() - 15 * MINUTE_MS,
    });
    store.openIntake({
      interactionId: '333333333333333333',
      userId: 'u3',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-closed-abcdef',
      createdMs: clock.now(),
    });
    store.closeIntake('333333333333333333');
    const copy = join(dir, 'dump.sqlite');
    store.writeRedactedCopy(copy);
    const dump = new Database(copy);
    expect(dump.prepare('SELECT COUNT(*) AS n FROM intakes').get()).toEqual({ n: 0 });
    dump.close();
    expect(readFileSync(copy).includes('TOKEN-fresh')).toBe(false);
    expect(store.takeInterruptedIntakes()).toEqual([
      { interactionId: '111111111111111111', userId: 'u1', guildId: 'g1', token: 'TOKEN-fresh-abcdef' },
      { interactionId: '222222222222222222', userId: 'u2', guildId: 'g1', token: null },
    ]);
    expect(store.takeInterruptedIntakes()).toEqual([]);
  });

  it('GIVEN intakes and consent waits opened since this process started THEN start-up leaves them: they are its own commands', () => {
    const { store, clock } = fixture();
    store.openIntake({ interactionId: '111111111111111111', userId: 'u1', guildId: 'g1', channelId: 'c1', token: 'TOKEN-old-abcdef', createdMs: clock.now() });
    store.openConsentWait({ interactionId: '222222222222222222', userId: 'u2', guildId: 'g1', token: 'TOKEN-old-wait', createdMs: clock.now() });
    clock.advance(1000);
    const startedMs = clock.now();
    store.openIntake({ interactionId: '333333333333333333', userId: 'u3', guildId: 'g1', channelId: 'c1', token: 'TOKEN-new-abcdef', createdMs: clock.now() });
    store.openConsentWait({ interactionId: '444444444444444444', userId: 'u4', guildId: 'g1', token: 'TOKEN-new-wait', createdMs: clock.now() });
    expect(store.takeInterruptedIntakes(startedMs).map((i) => i.interactionId)).toEqual(['111111111111111111']);
    expect(store.takeForgottenConsentWaits(startedMs).map((w) => w.interactionId)).toEqual(['222222222222222222']);
    expect(store.db.prepare('SELECT interaction_id FROM intakes').pluck().all()).toEqual(['333333333333333333']);
    expect(store.db.prepare('SELECT interaction_id FROM consent_waits').pluck().all()).toEqual(['444444444444444444']);
  });

  it('GIVEN a command queued but the process killed before its intake was closed THEN the next start does not call it interrupted', () => {
    const { store, clock } = fixture();
    const interaction = { id: '444444444444444444', token: 'TOKEN-queued-abcdef', createdMs: clock.now() };
    store.openIntake({
      interactionId: interaction.id,
      userId: 'u1',
      guildId: 'g1',
      channelId: 'c1',
      token: interaction.token,
      createdMs: interaction.createdMs,
    });
    enqueueOk(store, { userId: 'u1', interaction });
    expect(store.takeInterruptedIntakes()).toEqual([]);
  });
});

describe('consent waits (public replies waiting for a member to accept the terms)', () => {
  const wait = (id: string, userId: string, token: string, createdMs: number) => ({ interactionId: id, userId, guildId: 'g1', token, createdMs });

  it('GIVEN waits left at start-up THEN they are taken once, with the token only while it is usable, and never exported', () => {
    const { store, clock, dir } = fixture();
    store.openConsentWait(wait('111111111111111111', 'u1', 'TOKEN-wait-fresh', clock.now()));
    store.openConsentWait(wait('222222222222222222', 'u2', 'TOKEN-wait-stale', clock.now() - 15 * MINUTE_MS));
    store.openConsentWait(wait('333333333333333333', 'u3', 'TOKEN-wait-answered', clock.now()));
    store.closeConsentWait('333333333333333333');
    const copy = join(dir, 'dump.sqlite');
    store.writeRedactedCopy(copy);
    const dump = new Database(copy);
    expect(dump.prepare('SELECT COUNT(*) AS n FROM consent_waits').get()).toEqual({ n: 0 });
    dump.close();
    expect(readFileSync(copy).includes('TOKEN-wait-fresh')).toBe(false);
    expect(store.takeForgottenConsentWaits()).toEqual([
      { interactionId: '111111111111111111', userId: 'u1', guildId: 'g1', token: 'TOKEN-wait-fresh' },
      { interactionId: '222222222222222222', userId: 'u2', guildId: 'g1', token: null },
    ]);
    expect(store.takeForgottenConsentWaits()).toEqual([]);
  });

  it("GIVEN a wait whose token expired THEN the sweep deletes it; GIVEN forget-me THEN the member's waits go", () => {
    const { store, clock } = fixture();
    store.openConsentWait(wait('111111111111111111', 'u1', 'TOKEN-wait-1', clock.now()));
    store.openConsentWait(wait('222222222222222222', 'u2', 'TOKEN-wait-2', clock.now()));
    store.forgetUser('u2');
    expect(store.db.prepare('SELECT user_id FROM consent_waits').pluck().all()).toEqual(['u1']);
    clock.advance(16 * MINUTE_MS);
    expect(store.sweep().tokensCleared).toBe(1);
    expect(store.db.prepare('SELECT COUNT(*) FROM consent_waits').pluck().get()).toBe(0);
  });
});
