import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, ManualClock, MINUTE_MS } from '../../src/store/index.js';
import { tempDir } from '../support/temp-dir.js';
import { enqueueOk, fixture, openStore, output, request, T0 } from './helpers.js';

describe('rate limits at enqueue', () => {
  it('GIVEN three animations this hour THEN the hourly limit holds exactly and the refusal says when to retry', async () => {
    const { store, clock } = await fixture();
    await store.updateGuildSettings('g1', { perUserPerHour: 3, perUserConcurrent: 10 }, 'mod');
    for (let i = 0; i < 3; i += 1) {
      await enqueueOk(store);
      clock.advance(10 * MINUTE_MS);
    }
    const r = await store.enqueue(request(store));
    expect(r).toMatchObject({ ok: false, refusal: { reason: 'rate-limit', limit: 'user-hour', max: 3, retryAtMs: T0 + HOUR_MS } });
    clock.set(T0 + HOUR_MS - 1);
    expect((await store.enqueue(request(store))).ok).toBe(false);
    clock.set(T0 + HOUR_MS);
    expect((await store.enqueue(request(store))).ok).toBe(true);
    // other users are not affected
    expect((await enqueueOk(store, { userId: 'u2' })).state).toBe('queued');
  });

  it('GIVEN a restart THEN the limits still hold: counts come from the database', async () => {
    const dir = tempDir();
    const clock = new ManualClock(T0);
    const s1 = await openStore(dir, clock);
    await s1.updateGuildSettings('g1', { perUserPerHour: 2, perUserConcurrent: 5 }, 'mod');
    await enqueueOk(s1);
    await enqueueOk(s1);
    await s1.close();
    const s2 = await openStore(dir, clock);
    expect(await s2.enqueue(request(s2))).toMatchObject({ ok: false, refusal: { limit: 'user-hour' } });
  });

  it('GIVEN a job queued or running THEN the concurrent limit refuses another until it ends', async () => {
    const { store } = await fixture();
    const job = await enqueueOk(store); // default: 1 at a time
    expect(await store.enqueue(request(store))).toMatchObject({ ok: false, refusal: { limit: 'user-concurrent', retryAtMs: null } });
    const c = (await store.claimNext('w'))!;
    expect((await store.enqueue(request(store))).ok).toBe(false);
    await store.complete(job.id, c.leaseId, output(store, job.id));
    expect((await store.enqueue(request(store))).ok).toBe(true);
  });

  it("GIVEN the guild's daily cap reached by other users THEN a new member is refused until a day has passed, in that guild only", async () => {
    const { store, clock } = await fixture();
    await store.updateGuildSettings('g1', { guildPerDay: 3 }, 'mod');
    for (const u of ['a', 'b', 'c']) {
      await enqueueOk(store, { userId: u });
      clock.advance(HOUR_MS);
    }
    await store.setConsent('d', 'accepted');
    expect(await store.enqueue(request(store, { userId: 'd' }))).toMatchObject({ ok: false, refusal: { limit: 'guild-day', retryAtMs: T0 + DAY_MS } });
    expect((await enqueueOk(store, { userId: 'd', guildId: 'g2' })).state).toBe('queued');
  });

  it('GIVEN a job cancelled before it started THEN it does not count; GIVEN jobs deleted or forgotten THEN they still do', async () => {
    const { store } = await fixture();
    await store.updateGuildSettings('g1', { perUserPerHour: 2, perUserConcurrent: 5 }, 'mod');
    const a = await enqueueOk(store);
    expect(await store.requestCancel(a.id, 'u1')).toBe('cancelled');
    const b = await enqueueOk(store);
    await enqueueOk(store);
    expect((await store.enqueue(request(store))).ok).toBe(false);
    // deleting history does not reset the limit
    expect(await store.deleteJobForOwner(b.id, 'u1')).toMatchObject({ deleted: true });
    expect(await store.enqueue(request(store))).toMatchObject({ ok: false, refusal: { limit: 'user-hour' } });
    await store.forgetUser('u1');
    await store.setConsent('u1', 'accepted');
    expect(await store.enqueue(request(store))).toMatchObject({ ok: false, refusal: { limit: 'user-hour' } });
  });

  it('GIVEN the same reserved id enqueued twice THEN it is one job, and another member cannot use the id', async () => {
    const { store } = await fixture();
    const req = request(store);
    await store.setConsent('u1', 'accepted');
    const first = await store.enqueue(req);
    const again = await store.enqueue(req); // would hit the concurrent limit if counted twice
    expect(first.ok && again.ok && again.job.id === first.job.id).toBe(true);
    expect(await store.sql.value('SELECT COUNT(*) FROM jobs')).toBe(1);
    await expect(store.enqueue({ ...req, userId: 'u2' })).rejects.toThrow(/already used/);
  });

  it('GIVEN no consent, a long video, a channel not allowed or the bot disabled THEN each is refused for that reason, the last even over a limit', async () => {
    const { store } = await fixture();
    expect(await store.enqueue(request(store))).toMatchObject({ ok: false, refusal: { reason: 'consent', consent: 'unknown' } });
    await store.setConsent('u1', 'declined');
    expect(await store.checkAdmission({ userId: 'u1', guildId: 'g1', channelId: 'c1' })).toMatchObject({ ok: false, refusal: { consent: 'declined' } });
    await store.setConsent('u1', 'accepted');
    expect(await store.checkAdmission({ userId: 'u1', guildId: 'g1', channelId: 'c1' })).toEqual({ ok: true });
    expect(await store.enqueue(request(store, { seconds: 16 }))).toMatchObject({ ok: false, refusal: { reason: 'too-long' } });
    await store.setChannelRule('g1', 'c9', 'allow', 'mod');
    expect(await store.enqueue(request(store))).toMatchObject({ ok: false, refusal: { reason: 'channel' } });
    expect((await store.enqueue(request(store, { channelId: 'thread', parentChannelId: 'c9' }))).ok).toBe(true);
    await store.updateGuildSettings('g1', { enabled: false }, 'mod');
    const r = await store.enqueue(request(store));
    expect(r).toMatchObject({ ok: false, refusal: { reason: 'disabled' } });
    expect(await store.sql.value('SELECT COUNT(*) FROM jobs')).toBe(1);
  });
});

describe('commands in flight (intakes)', () => {
  const intake = (id: string, over: { userId?: string; guildId?: string; createdMs?: number } = {}) => ({
    interactionId: id,
    userId: 'u1',
    guildId: 'g1',
    channelId: 'c1',
    token: `TOKEN-${id}`,
    createdMs: over.createdMs ?? T0,
    ...over,
  });
  const asking = (interactionId: string) => ({ userId: 'u1', guildId: 'g1', channelId: 'c1', interactionId });

  it(
    "GIVEN a member's other commands still downloading THEN they count toward the concurrent limit before a download, but not the asking one, " +
      'nor a stale one, nor at enqueue',
    async () => {
      const { store, clock } = await fixture();
      await store.setConsent('u1', 'accepted');
      await store.openIntake(intake('111'));
      expect(await store.checkAdmission(asking('222'))).toMatchObject({ ok: false, refusal: { limit: 'user-concurrent' } });
      expect((await store.checkAdmission(asking('111'))).ok).toBe(true);
      expect((await store.checkAdmission({ ...asking('222'), guildId: 'g2' })).ok).toBe(true); // per server, like jobs
      await store.openIntake(intake('110')); // a later command, still downloading: it does not refuse the earlier one's enqueue
      const req = request(store, { interaction: { id: '111', token: 'TOKEN-111', createdMs: T0 }, requireOpenIntake: true });
      expect((await store.enqueue(req)).ok).toBe(true); // enqueue closes its intake
      await store.closeIntake('110');
      await store.closeIntake('111');
      clock.advance(20 * MINUTE_MS);
      await store.openIntake(intake('333', { createdMs: T0 })); // its token died 5 minutes ago: a crash's leftover
      await store.updateGuildSettings('g1', { perUserConcurrent: 2 }, 'mod');
      expect((await store.checkAdmission(asking('444'))).ok).toBe(true);
    },
  );

  it('GIVEN forget-me while a command downloads THEN its enqueue is refused as withdrawn and leaves no user row', async () => {
    const { store } = await fixture();
    await store.setConsent('u1', 'accepted');
    await store.openIntake(intake('555'));
    await store.forgetUser('u1');
    const r = await store.enqueue(request(store, { interaction: { id: '555', token: 'TOKEN-555', createdMs: T0 }, requireOpenIntake: true }));
    expect(r).toMatchObject({ ok: false, refusal: { reason: 'withdrawn' } });
    expect(await store.getUser('u1')).toBeUndefined();
    expect(await store.sql.value('SELECT COUNT(*) FROM jobs')).toBe(0);
  });

  it("GIVEN a moderator purge in one server THEN only that server's commands in flight are withdrawn", async () => {
    const { store } = await fixture();
    await store.setConsent('u1', 'accepted');
    await store.openIntake(intake('666'));
    await store.openIntake(intake('777', { guildId: 'g2' }));
    await store.purgeUserInGuild('g1', 'u1', 'mod');
    expect(await store.enqueue(request(store, { interaction: { id: '666', token: 'TOKEN-666', createdMs: T0 }, requireOpenIntake: true }))).toMatchObject({
      ok: false,
      refusal: { reason: 'withdrawn' },
    });
    expect(
      (await store.enqueue(request(store, { guildId: 'g2', interaction: { id: '777', token: 'TOKEN-777', createdMs: T0 }, requireOpenIntake: true }))).ok,
    ).toBe(true);
  });

  it('GIVEN a refused enqueue THEN no user row is created or touched', async () => {
    const { store } = await fixture();
    await store.updateGuildSettings('g1', { enabled: false }, 'mod');
    expect((await store.enqueue(request(store, { userId: 'newcomer' }))).ok).toBe(false);
    expect(await store.getUser('newcomer')).toBeUndefined();
  });
});

describe("a server's storage allowance (the operator's)", () => {
  it(
    'GIVEN a server whose kept files reach the allowance THEN its next enqueue is refused, other servers are not, ' + 'and expiry or deletion frees it',
    async () => {
      const { store, clock } = await fixture({ guildStorageBytes: 1000 });
      await store.updateGuildSettings('g1', { perUserConcurrent: 10 }, 'mod');
      const first = await enqueueOk(store, { bytes: 300 }); // photo and video of 300 bytes each
      expect((await store.checkAdmission({ userId: 'u1', guildId: 'g1', channelId: 'c1' })).ok).toBe(true);
      const second = await store.enqueue(request(store, { bytes: 300 }));
      expect(second).toMatchObject({ ok: false, refusal: { reason: 'storage', usedBytes: 600, maxBytes: 1000 } });
      expect((await enqueueOk(store, { guildId: 'g2', bytes: 300 })).state).toBe('queued');
      const c = (await store.claimNext('w'))!;
      expect(c.job.id).toBe(first.id);
      await store.complete(first.id, c.leaseId, output(store, first.id));
      clock.advance(8 * DAY_MS);
      await store.sweep(); // retention (7 days) deletes the files; the history row stays
      expect((await store.enqueue(request(store, { bytes: 300 }))).ok).toBe(true);
    },
  );
});
