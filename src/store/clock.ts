/**
 * Time source for the store. Every timestamp the store writes comes from a Clock,
 * so tests control time exactly (lease expiry, rate-limit windows, retention)
 * without sleeping. Times are epoch milliseconds everywhere (columns named *_ms).
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. For tests and simulations. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2025, 0, 1, 12, 0, 0)) {}

  now(): number {
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
  }

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }
}

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
