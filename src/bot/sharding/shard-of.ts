import type { GuildFilter } from '../../store/index.js';

/**
 * Which gateway shard a guild's events come on: Discord's rule, `(guild_id >> 22) % num_shards`
 * (the snowflake's timestamp bits). Pure; the bot's shard processes use it to share work without overlap.
 */
export function shardOf(guildId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`A shard count is a whole number of at least 1, not ${shardCount}.`);
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** The process's part of the work: the guilds of its shards; undefined (all guilds) for an unsharded bot. */
export function guildsOfShards(shards: readonly number[], shardCount: number): GuildFilter | undefined {
  if (shardCount <= 1) return undefined;
  const mine = new Set(shards);
  return (guildId) => /^\d{1,20}$/.test(guildId) && mine.has(shardOf(guildId, shardCount));
}

/**
 * The work one process does for the whole bot (the retention sweep): the process holding shard 0. Unsharded, that
 * is the only process.
 */
export function holdsFirstShard(shards: readonly number[], shardCount: number): boolean {
  return shardCount <= 1 || shards.includes(0);
}
