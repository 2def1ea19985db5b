import type { Clock } from './clock.js';

const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/**
 * Discord-style ids: milliseconds since 2015 in the top bits, then worker and
 * increment bits. discord.js derives `createdTimestamp` from them, so an id made
 * for a past `createdAt` really looks old to the bot. The increment runs
 * through the process and increment bits (17 bits, worker 1), so ids stay
 * unique even when thousands are made for the same millisecond.
 */
export class Snowflakes {
  #increment = 0n;
  /** The earliest millisecond `onShard` used: each of its ids gets a millisecond of its own. */
  #shardCursor: bigint | null = null;

  constructor(private readonly clock: Clock) {}

  next(atMs: number = this.clock.now()): string {
    const increment = this.#increment++ & 0x1ffffn;
    return (((BigInt(Math.floor(atMs)) - DISCORD_EPOCH_MS) << 22n) | (1n << 17n) | increment).toString();
  }

  /**
   * An id whose guild falls on `shardId` of `numShards`: a guild's shard is
   * `(id >> 22) % num_shards`, its timestamp modulo the shard count, so the id's
   * millisecond is chosen to fit: the latest one, not in the future, that no
   * earlier `onShard` id has. Ids with a millisecond each spread over the
   * shards of other counts too, as real guilds made at different times do;
   * guilds made in the same millisecond share a shard whatever the count.
   */
  onShard(shardId: number, numShards: number): string {
    if (!Number.isSafeInteger(numShards) || numShards < 1 || !Number.isSafeInteger(shardId) || shardId < 0 || shardId >= numShards) {
      throw new RangeError(`onShard needs [shard_id, num_shards] with 0 ≤ shard_id < num_shards; got [${shardId}, ${numShards}]`);
    }
    const now = BigInt(Math.floor(this.clock.now()));
    const latest = this.#shardCursor === null || this.#shardCursor > now ? now : this.#shardCursor - 1n;
    const n = BigInt(numShards);
    const behind = (((((latest - DISCORD_EPOCH_MS) % n) - BigInt(shardId)) % n) + n) % n;
    this.#shardCursor = latest - behind;
    return this.next(Number(this.#shardCursor));
  }
}

export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}
