import { describe, expect, it } from 'vitest';
import {
  assertDeliveryTransition,
  assertTransition,
  backoffMs,
  canDeliveryTransition,
  canTransition,
  chooseNext,
  consentStatus,
  decideAdmission,
  decodeCursor,
  DEFAULT_GUILD_SETTINGS,
  DELIVERY_STATUSES,
  encodeCursor,
  estimateEta,
  evaluateRateLimits,
  HOUR_MS,
  DAY_MS,
  IllegalDeliveryTransitionError,
  IllegalTransitionError,
  InvalidCursorError,
  isChannelAllowed,
  isJobId,
  JOB_STATES,
  msPerUnit,
  newJobId,
  simulateOrder,
  validateSettingsPatch,
  windowRetryAt,
  type QueueHead,
} from '../../src/store/index.js';

describe('job state machine', () => {
  const legal = new Set(['queued>running', 'queued>cancelled', 'running>succeeded', 'running>failed', 'running>cancelled', 'running>queued']);
  for (const from of JOB_STATES) {
    for (const to of JOB_STATES) {
      const ok = legal.has(`${from}>${to}`);
      it(`${from} → ${to} is ${ok ? 'legal' : 'illegal'}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to, 'j1')).toThrow(IllegalTransitionError);
      });
    }
  }
});

describe('delivery state machine', () => {
  it('allows exactly the documented moves', () => {
    const legal = new Set([
      'pending>delivering',
      'pending>failed',
      'pending>skipped',
      'delivering>delivering',
      'delivering>interaction',
      'delivering>channel',
      'delivering>dm',
      'delivering>failed',
      'delivering>skipped',
    ]);
    for (const from of DELIVERY_STATUSES) {
      for (const to of DELIVERY_STATUSES) {
        expect(canDeliveryTransition(from, to), `${from}>${to}`).toBe(legal.has(`${from}>${to}`));
      }
    }
    expect(() => assertDeliveryTransition('pending', 'channel')).toThrow(IllegalDeliveryTransitionError);
    expect(() => assertDeliveryTransition('dm', 'delivering')).toThrow(IllegalDeliveryTransitionError);
  });
});

describe('fairness', () => {
  const head = (seq: number, userId: string, guildId: string, userTurn: number | null, guildTurn: number | null): QueueHead => ({
    seq,
    userId,
    guildId,
    userTurn,
    guildTurn,
  });

  it('prefers the never-served, then the least recently served, then the oldest', () => {
    expect(chooseNext([])).toBeUndefined();
    expect(chooseNext([head(1, 'a', 'g', 5, 5), head(2, 'b', 'g', null, 5)])!.userId).toBe('b');
    expect(chooseNext([head(1, 'a', 'g', 7, 7), head(2, 'b', 'g', 3, 7)])!.userId).toBe('b');
    expect(chooseNext([head(3, 'a', 'g', null, null), head(2, 'b', 'g', null, null)])!.seq).toBe(2);
  });

  it('rotates guilds before users', () => {
    // Guild g1 was served last (turn 9); g2 earlier (turn 4): g2 goes first even though g1's job is older.
    const next = chooseNext([head(1, 'a', 'g1', 1, 9), head(5, 'b', 'g2', 4, 4)]);
    expect(next!.guildId).toBe('g2');
  });

  it('serves B second when A queued 10 first', () => {
    const jobs = [...Array.from({ length: 10 }, (_, i) => ({ seq: i + 1, userId: 'A', guildId: 'g' })), { seq: 11, userId: 'B', guildId: 'g' }];
    const order = simulateOrder(jobs, new Map(), new Map());
    expect(order.slice(0, 3)).toEqual([1, 11, 2]);
    expect(order).toHaveLength(11);
    expect(simulateOrder(jobs, new Map(), new Map(), 11)).toEqual([1, 11]);
  });

  it('interleaves three users round-robin', () => {
    const jobs = ['A', 'A', 'A', 'B', 'B', 'C'].map((u, i) => ({ seq: i + 1, userId: u, guildId: 'g' }));
    const users = simulateOrder(jobs, new Map(), new Map()).map((s) => jobs[s - 1]!.userId);
    expect(users).toEqual(['A', 'B', 'C', 'A', 'B', 'A']);
  });
});

describe('eta', () => {
  it('uses the median speed, or the fallback without history', () => {
    expect(msPerUnit([], 1234)).toBe(1234);
    expect(
      msPerUnit(
        [
          { durationMs: 10_000, units: 5 },
          { durationMs: 30_000, units: 5 },
          { durationMs: 8_000, units: 4 },
        ],
        1,
      ),
    ).toBe(2000);
  });

  it('adds the work ahead to the running job on one worker', () => {
    const eta = estimateEta({ nowMs: 1000, workers: 1, msPerUnit: 100, running: [{ startedMs: 500, units: 10 }], aheadUnits: [5, 5], ownUnits: 2 });
    // running ends at 500 + 1000 = 1500; then 500 + 500 → start 2500, done 2700
    expect(eta).toEqual({ startMs: 2500, doneMs: 2700 });
  });

  it('spreads work over workers', () => {
    const eta = estimateEta({ nowMs: 0, workers: 2, msPerUnit: 100, running: [], aheadUnits: [10, 10, 10], ownUnits: 1 });
    expect(eta.startMs).toBe(1000);
  });
});

describe('rate limits', () => {
  const limits = { perUserPerHour: 2, perUserPerDay: 3, perUserConcurrent: 1, guildPerDay: 10 };
  const now = 10 * DAY_MS;

  it('computes when a rolling window frees a slot', () => {
    expect(windowRetryAt([now - 10, now - 20], 3, HOUR_MS, now)).toBeNull();
    expect(windowRetryAt([now - 10, now - 20], 2, HOUR_MS, now)).toBe(now - 20 + HOUR_MS);
    // an entry exactly one window old no longer counts
    expect(windowRetryAt([now - 10, now - HOUR_MS], 2, HOUR_MS, now)).toBeNull();
  });

  it('allows under every limit', () => {
    expect(evaluateRateLimits({ userRecentDesc: [now - 2 * HOUR_MS], guildRecentDesc: [], userActive: 0 }, limits, now)).toEqual({ ok: true });
  });

  it('names the hit limit and the latest retry time', () => {
    const d = evaluateRateLimits({ userRecentDesc: [now - 1000, now - 2000, now - 3 * HOUR_MS], guildRecentDesc: [], userActive: 0 }, limits, now);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.hits.map((h) => h.limit).sort()).toEqual(['user-day', 'user-hour']);
    expect(d.hit).toEqual({ limit: 'user-day', max: 3, retryAtMs: now - 3 * HOUR_MS + DAY_MS });
  });

  it('reports the concurrent limit without a time', () => {
    const d = evaluateRateLimits({ userRecentDesc: [], guildRecentDesc: [], userActive: 1 }, limits, now);
    expect(d).toMatchObject({ ok: false, hit: { limit: 'user-concurrent', max: 1, retryAtMs: null } });
  });

  it('applies the guild cap across users', () => {
    const guild = Array.from({ length: 10 }, (_, i) => now - (i + 1) * HOUR_MS);
    const d = evaluateRateLimits({ userRecentDesc: [], guildRecentDesc: guild, userActive: 0 }, limits, now);
    expect(d).toMatchObject({ ok: false, hit: { limit: 'guild-day', retryAtMs: now - 10 * HOUR_MS + DAY_MS } });
  });
});

describe('guild settings validation', () => {
  it('accepts a valid patch and lists the changes', () => {
    const v = validateSettingsPatch(DEFAULT_GUILD_SETTINGS, { perUserPerHour: 3, visibility: 'public', enabled: true });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.changes.map((c) => c.key).sort()).toEqual(['perUserPerHour', 'visibility']);
    expect(v.next.perUserPerHour).toBe(3);
  });

  it('reports every problem in a sentence', () => {
    const v = validateSettingsPatch(DEFAULT_GUILD_SETTINGS, {
      perUserPerHour: 0,
      retentionDays: 91,
      visibility: 'everyone',
      enabled: 'yes',
      colour: 'red',
      maxDrivingSeconds: 2.5,
    });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problems).toEqual([
      { problem: 'out-of-range', key: 'perUserPerHour', min: 1, max: 100 },
      { problem: 'out-of-range', key: 'retentionDays', min: 1, max: 90 },
      { problem: 'not-choice', key: 'visibility', choices: ['public', 'requester'] },
      { problem: 'not-boolean', key: 'enabled' },
      { problem: 'unknown', key: 'colour' },
      { problem: 'out-of-range', key: 'maxDrivingSeconds', min: 1, max: 60 },
    ]);
  });

  it('refuses a daily limit below the hourly one', () => {
    const v = validateSettingsPatch(DEFAULT_GUILD_SETTINGS, { perUserPerDay: 2, perUserPerHour: 4 });
    expect(v).toEqual({ ok: false, problems: [{ problem: 'day-below-hour', day: 2, hour: 4 }] });
  });
});

describe('admission, consent, channels', () => {
  const base = {
    settings: DEFAULT_GUILD_SETTINGS,
    channels: { allow: [], block: [] },
    channelId: 'c',
    consent: 'accepted' as const,
    usage: { userRecentDesc: [], guildRecentDesc: [], userActive: 0 },
    nowMs: 0,
  };

  it('checks in order: enabled, channel, consent, size, limits', () => {
    expect(decideAdmission(base)).toEqual({ ok: true });
    expect(decideAdmission({ ...base, settings: { ...DEFAULT_GUILD_SETTINGS, enabled: false }, consent: 'unknown' })).toMatchObject({
      refusal: { reason: 'disabled' },
    });
    expect(decideAdmission({ ...base, channels: { allow: ['x'], block: [] }, consent: 'unknown' })).toMatchObject({ refusal: { reason: 'channel' } });
    expect(decideAdmission({ ...base, consent: 'expired' })).toMatchObject({ refusal: { reason: 'consent', consent: 'expired' } });
    expect(decideAdmission({ ...base, inputs: { drivingSeconds: 16, sourceBytes: 1, drivingBytes: 1 } })).toMatchObject({
      refusal: { reason: 'too-long', maxSeconds: 15 },
    });
    expect(decideAdmission({ ...base, inputs: { drivingSeconds: 1, sourceBytes: 26 * 1024 * 1024, drivingBytes: 1 } })).toMatchObject({
      refusal: { reason: 'too-large' },
    });
    expect(decideAdmission({ ...base, usage: { ...base.usage, userActive: 1 } })).toMatchObject({
      refusal: { reason: 'rate-limit', limit: 'user-concurrent' },
    });
    const full = { usedBytes: 100, maxBytes: 100 };
    expect(decideAdmission({ ...base, storage: full, usage: { ...base.usage, userActive: 1 } })).toMatchObject({ refusal: { reason: 'rate-limit' } });
    expect(decideAdmission({ ...base, storage: full })).toMatchObject({
      refusal: { reason: 'storage', usedBytes: 100, incomingBytes: 0, maxBytes: 100, retentionDays: 7 },
    });
  });

  it("GIVEN the server's storage allowance THEN the early check refuses a full server, and enqueue counts the incoming files too; 0 means none", () => {
    const inputs = { drivingSeconds: 1, sourceBytes: 10, drivingBytes: 20 };
    expect(decideAdmission({ ...base, storage: { usedBytes: 99, maxBytes: 100 } })).toEqual({ ok: true });
    expect(decideAdmission({ ...base, inputs, storage: { usedBytes: 70, maxBytes: 100 } })).toEqual({ ok: true });
    expect(decideAdmission({ ...base, inputs, storage: { usedBytes: 71, maxBytes: 100 } })).toMatchObject({ refusal: { reason: 'storage' } });
    expect(decideAdmission({ ...base, inputs, storage: { usedBytes: 10 ** 12, maxBytes: 0 } })).toEqual({ ok: true });
  });

  it('applies allow and block rules, threads follow their parent', () => {
    expect(isChannelAllowed({ allow: [], block: [] }, 'a')).toBe(true);
    expect(isChannelAllowed({ allow: [], block: ['a'] }, 'a')).toBe(false);
    expect(isChannelAllowed({ allow: ['p'], block: [] }, 'thread', 'p')).toBe(true);
    expect(isChannelAllowed({ allow: ['p'], block: ['thread'] }, 'thread', 'p')).toBe(false);
    expect(isChannelAllowed({ allow: ['p'], block: [] }, 'other')).toBe(false);
  });

  it('GIVEN a channel the bot cannot see (a private thread, parent unknown) THEN it passes only where no rule could apply', () => {
    expect(isChannelAllowed({ allow: [], block: [] }, 'thread', 'unknown')).toBe(true);
    // The unseen parent might be the blocked channel, or not the allowed one.
    expect(isChannelAllowed({ allow: [], block: ['p'] }, 'thread', 'unknown')).toBe(false);
    expect(isChannelAllowed({ allow: ['p'], block: [] }, 'thread', 'unknown')).toBe(false);
    expect(isChannelAllowed({ allow: ['thread'], block: [] }, 'thread', 'unknown')).toBe(true);
  });

  it('voids consent older than the guild epoch', () => {
    expect(consentStatus(undefined, null)).toBe('unknown');
    expect(consentStatus({ consent: 'declined', consentMs: 5 }, null)).toBe('declined');
    expect(consentStatus({ consent: 'accepted', consentMs: 5 }, 10)).toBe('expired');
    expect(consentStatus({ consent: 'accepted', consentMs: 15 }, 10)).toBe('accepted');
  });
});

describe('ids, cursors, backoff', () => {
  it('makes short sortable job ids', () => {
    const a = newJobId(1_700_000_000_000);
    const b = newJobId(1_700_000_000_001);
    expect(isJobId(a)).toBe(true);
    expect(a.length).toBeLessThanOrEqual(25);
    expect(a.slice(0, 9) < b.slice(0, 9)).toBe(true);
  });

  it('round-trips cursors and rejects junk', () => {
    expect(decodeCursor(encodeCursor(123456))).toBe(123456);
    for (const bad of ['', 'x1', 'h', 'h-1', 'h0', 'hzzzzzzzzzzzz']) expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
  });

  it('backs off exponentially up to the cap', () => {
    const p = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 5000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n))).toEqual([1000, 2000, 4000, 5000]);
  });
});
