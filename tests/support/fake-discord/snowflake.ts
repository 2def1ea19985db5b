import type { Clock } from './clock.js';

const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/**
 * Discord-style ids: milliseconds since 2015 in the top bits, then worker and
 * increment bits. discord.js derives `createdTimestamp` from them, so an id made
 * for a past `createdAt` really looks old to the bot.
 */
export class Snowflakes {
  #increment = 0n;

  constructor(private readonly clock: Clock) {}

  next(atMs: number = this.clock.now()): string {
    const increment = this.#increment++ & 0xfffn;
    return (((BigInt(Math.floor(atMs)) - DISCORD_EPOCH_MS) << 22n) | (1n << 17n) | increment).toString();
  }
}

export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}
