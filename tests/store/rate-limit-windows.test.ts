/** Rolling rate limit windows as a pure rule (src/store/rate-limits.ts); the limits at enqueue are in rate-limits.test.ts. */
import { describe, expect, it } from 'vitest';
import { evaluateRateLimits, HOUR_MS, DAY_MS, windowRetryAt } from '../../src/store/index.js';

describe('rate limits', () => {
  const limits = { perUserPerHour: 2, perUserPerDay: 3, perUserConcurrent: 1, guildPerDay: 10 };
  const now = 10 * DAY_MS;

  it('GIVEN uses in a rolling window THEN a slot frees when the oldest leaves it; no wait under the limit, and a use one window old no longer counts', () => {
    expect(windowRetryAt([now - 10, now - 20], 3, HOUR_MS, now)).toBeNull();
    expect(windowRetryAt([now - 10, now - 20], 2, HOUR_MS, now)).toBe(now - 20 + HOUR_MS);
    // an entry exactly one window old no longer counts
    expect(windowRetryAt([now - 10, now - HOUR_MS], 2, HOUR_MS, now)).toBeNull();
  });

  it('GIVEN usage under every limit THEN it is allowed', () => {
    expect(evaluateRateLimits({ userRecentDesc: [now - 2 * HOUR_MS], guildRecentDesc: [], userActive: 0 }, limits, now)).toEqual({ ok: true });
  });

  it('GIVEN usage over the hourly and the daily limit THEN both are hit, and the one named frees latest', () => {
    const d = evaluateRateLimits({ userRecentDesc: [now - 1000, now - 2000, now - 3 * HOUR_MS], guildRecentDesc: [], userActive: 0 }, limits, now);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.hits.map((h) => h.limit).sort()).toEqual(['user-day', 'user-hour']);
    expect(d.hit).toEqual({ limit: 'user-day', max: 3, retryAtMs: now - 3 * HOUR_MS + DAY_MS });
  });

  it('GIVEN a job running at a limit of one at a time THEN the concurrent limit is hit, with no retry time', () => {
    const d = evaluateRateLimits({ userRecentDesc: [], guildRecentDesc: [], userActive: 1 }, limits, now);
    expect(d).toMatchObject({ ok: false, hit: { limit: 'user-concurrent', max: 1, retryAtMs: null } });
  });

  it("GIVEN the guild's daily cap reached by other users THEN the guild limit is hit until its oldest use is a day old", () => {
    const guild = Array.from({ length: 10 }, (_, i) => now - (i + 1) * HOUR_MS);
    const d = evaluateRateLimits({ userRecentDesc: [], guildRecentDesc: guild, userActive: 0 }, limits, now);
    expect(d).toMatchObject({ ok: false, hit: { limit: 'guild-day', retryAtMs: now - 10 * HOUR_MS + DAY_MS } });
  });
});
