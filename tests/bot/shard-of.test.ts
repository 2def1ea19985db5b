import { describe, expect, it } from 'vitest';
import { guildsOfShards, holdsFirstShard, shardOf } from '../../src/bot/sharding/shard-of.js';
import { estimatedEndMs } from '../../src/bot/status/remote-progress.js';

/** A snowflake whose timestamp bits give `shardKey` (what `>> 22` reads): Discord's rule routes it to shardKey % n. */
const guildWithKey = (shardKey: bigint, low = 12345n) => String((shardKey << 22n) | low);

describe('shardOf: Discord’s (guild_id >> 22) % num_shards', () => {
  it('GIVEN real-looking guild ids THEN the shard is the timestamp bits modulo the count, as in Discord’s docs', () => {
    // Discord's example: shard_id = (guild_id >> 22) % num_shards.
    expect(shardOf('197038439483310086', 2)).toBe(Number((197038439483310086n >> 22n) % 2n));
    expect(shardOf(guildWithKey(10n), 4)).toBe(2);
    expect(shardOf(guildWithKey(10n, 4_194_303n), 4)).toBe(2); // the low 22 bits never matter
    expect(shardOf(guildWithKey(7n), 1)).toBe(0);
  });
  it('GIVEN a count below 1 THEN it refuses', () => {
    expect(() => shardOf('1', 0)).toThrow(RangeError);
  });
  it('GIVEN a process holding shards 1 and 3 of 4 THEN its filter takes exactly their guilds', () => {
    const mine = guildsOfShards([1, 3], 4)!;
    expect([0n, 1n, 2n, 3n, 4n, 5n].map((k) => mine(guildWithKey(k)))).toEqual([false, true, false, true, false, true]);
    expect(mine('not-a-snowflake')).toBe(false);
  });
  it('GIVEN one shard THEN there is no filter, and that process does the whole bot’s work', () => {
    expect(guildsOfShards([0], 1)).toBeUndefined();
    expect(holdsFirstShard([0], 1)).toBe(true);
    expect(holdsFirstShard([1], 2)).toBe(false);
    expect(holdsFirstShard([0, 1], 2)).toBe(true);
  });
});

describe('estimatedEndMs: when a job running elsewhere should end', () => {
  it('GIVEN a quarter done after 10 s THEN 30 s to go', () => {
    expect(estimatedEndMs(1_000, 0.25, 11_000)).toBe(41_000);
  });
  it('GIVEN no start, no progress, too little progress or a share past 1 THEN no estimate', () => {
    expect(estimatedEndMs(null, 0.5, 10)).toBeNull();
    expect(estimatedEndMs(0, null, 10)).toBeNull();
    expect(estimatedEndMs(0, 0.01, 10)).toBeNull();
    expect(estimatedEndMs(0, 1.5, 10)).toBeNull();
  });
});
