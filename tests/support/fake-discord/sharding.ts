/**
 * Discord's guild sharding, as the gateway documentation describes it: a
 * session that IDENTIFYs with `shard: [shard_id, num_shards]` receives the
 * events of the guilds for which `(guild_id >> 22) % num_shards === shard_id`,
 * and only shard 0 receives DMs. A session without `shard` is `[0, 1]`.
 */

/** `[shard_id, num_shards]`, as in IDENTIFY and READY. */
export type ShardTuple = [shardId: number, numShards: number];

/** The sharding limits the fake applies; see docs/fake-discord.md ("Sharding"). */
export interface ShardingLimits {
  /** A session that would receive more guilds than this is closed with 4011; Discord's is 2500. */
  maxGuildsPerShard: number;
  /** `session_start_limit.max_concurrency`: IDENTIFYs per 5 s in each bucket `shard_id % max_concurrency`. */
  maxConcurrency: number;
}

/** Which shard of `numShards` receives a guild's events. */
export function shardOf(guildId: string, numShards: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(numShards));
}

/** Whether a session on `shard` receives events of `guildId`, or with `null` a DM's events. */
export function shardReceives([shardId, numShards]: ShardTuple, guildId: string | null): boolean {
  return guildId === null ? shardId === 0 : shardOf(guildId, numShards) === shardId;
}

/**
 * Reads IDENTIFY's `shard`: `null` when absent (unsharded), the tuple when it
 * is two integers with `0 ≤ shard_id < num_shards`, else a reason for 4010.
 */
export function parseShard(value: unknown): ShardTuple | null | { invalid: string } {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length !== 2 || !value.every((n) => Number.isSafeInteger(n))) {
    return { invalid: `shard must be [shard_id, num_shards], two integers; got ${JSON.stringify(value)}` };
  }
  const [shardId, numShards] = value as ShardTuple;
  if (numShards < 1) return { invalid: `num_shards must be at least 1; got ${numShards}` };
  if (shardId < 0 || shardId >= numShards) return { invalid: `shard_id must be in 0…${numShards - 1}; got ${shardId}` };
  return [shardId, numShards];
}

/** How many guilds each of `numShards` shards would receive. */
export function guildsPerShard(guildIds: readonly string[], numShards: number): number[] {
  const counts = new Array<number>(numShards).fill(0);
  for (const id of guildIds) {
    const shard = shardOf(id, numShards);
    counts[shard] = (counts[shard] ?? 0) + 1;
  }
  return counts;
}

const GUILDS_PER_RECOMMENDED_SHARD = 1000;

/**
 * What GET /gateway/bot recommends when the test did not fix a number: about
 * one shard per 1,000 guilds (Discord's published guidance; the endpoint's own
 * formula is not published), raised until no shard holds more than
 * `maxGuildsPerShard`, so following the recommendation never gets 4011.
 */
export function recommendedShardCount(guildIds: readonly string[], maxGuildsPerShard: number): number {
  const lowest = Math.max(1, Math.ceil(guildIds.length / GUILDS_PER_RECOMMENDED_SHARD), Math.ceil(guildIds.length / maxGuildsPerShard));
  // Guilds made in the same millisecond always share a shard; past this bound no count can split them.
  for (let n = lowest; n <= lowest + 1024; n++) {
    if (guildsPerShard(guildIds, n).every((count) => count <= maxGuildsPerShard)) return n;
  }
  return lowest;
}

export function formatShard([shardId, numShards]: ShardTuple): string {
  return `shard ${shardId} of ${numShards}`;
}
