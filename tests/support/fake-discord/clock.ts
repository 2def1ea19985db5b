/**
 * The fake's notion of "now": wall-clock time plus an offset that tests can
 * advance. Token expiry, the acknowledgement window and snowflake timestamps
 * all read this clock, so `advanceTime(16 * 60_000)` makes every interaction
 * token look 16 minutes old without waiting. The bot under test keeps its own
 * clock; see docs/fake-discord.md ("Time").
 */
export class Clock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceTime needs a non-negative number of ms, got ${ms}`);
    this.#offsetMs += ms;
  }
}
