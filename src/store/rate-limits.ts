/**
 * Rate-limit rules. Pure: given what was already accepted, the limits and the
 * time, say whether one more job is allowed, and if not which limit was hit and
 * when the user may try again.
 *
 * Windows are rolling: "per hour" means in the last 60 minutes, "per day" in the
 * last 24 hours. A job counts from the moment it was accepted, whatever happened
 * to it later, except a job cancelled before it ever started. The concurrent
 * limit counts the user's queued and running jobs.
 */
import { DAY_MS, HOUR_MS } from './clock.js';

export type LimitName = 'user-hour' | 'user-day' | 'user-concurrent' | 'guild-day';

export interface RateLimits {
  readonly perUserPerHour: number;
  readonly perUserPerDay: number;
  readonly perUserConcurrent: number;
  readonly guildPerDay: number;
}

export interface Usage {
  /** Acceptance times of the user's counted jobs in this guild, newest first (≥ the largest user limit of them, if that many exist). */
  readonly userRecentDesc: readonly number[];
  /** Acceptance times of the guild's counted jobs, newest first (≥ guildPerDay of them, if that many exist). */
  readonly guildRecentDesc: readonly number[];
  /** The user's queued + running jobs in this guild. */
  readonly userActive: number;
}

export interface LimitHit {
  readonly limit: LimitName;
  readonly max: number;
  /** When one more job would be allowed by this limit; null = when an active job ends. */
  readonly retryAtMs: number | null;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly hit: LimitHit; readonly hits: readonly LimitHit[] };

/**
 * If `max` jobs or more fall in the rolling window ending at `nowMs`, the time at
 * which enough of them have left the window for one more; otherwise null.
 * A job accepted at t counts while now < t + window.
 */
export function windowRetryAt(recentDesc: readonly number[], max: number, windowMs: number, nowMs: number): number | null {
  const inWindow = recentDesc.filter((t) => t > nowMs - windowMs);
  if (inWindow.length < max) return null;
  return inWindow[max - 1]! + windowMs;
}

export function evaluateRateLimits(usage: Usage, limits: RateLimits, nowMs: number): RateDecision {
  const hits: LimitHit[] = [];
  const timed: Array<[LimitName, number, readonly number[], number]> = [
    ['user-hour', limits.perUserPerHour, usage.userRecentDesc, HOUR_MS],
    ['user-day', limits.perUserPerDay, usage.userRecentDesc, DAY_MS],
    ['guild-day', limits.guildPerDay, usage.guildRecentDesc, DAY_MS],
  ];
  for (const [limit, max, times, windowMs] of timed) {
    const retryAtMs = windowRetryAt(times, max, windowMs, nowMs);
    if (retryAtMs !== null) hits.push({ limit, max, retryAtMs });
  }
  if (usage.userActive >= limits.perUserConcurrent) {
    hits.push({ limit: 'user-concurrent', max: limits.perUserConcurrent, retryAtMs: null });
  }
  if (hits.length === 0) return { ok: true };
  // Report the limit that lasts longest: the user may retry only when all allow it.
  const sorted = [...hits].sort((a, b) => (b.retryAtMs ?? -1) - (a.retryAtMs ?? -1));
  return { ok: false, hit: sorted[0]!, hits };
}
