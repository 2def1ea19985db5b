import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeDiscord } from '../support/fake-discord/index.js';

const botScript = fileURLToPath(new URL('./fixtures/echo-bot.mjs', import.meta.url));
/** fixtures/shard-bot.mjs, the bot of the sharding tests. */
export const shardBotScript = fileURLToPath(new URL('./fixtures/shard-bot.mjs', import.meta.url));

/** Starts fixtures/echo-bot.mjs in its own process, pointed at the fake through its environment only. */
export function startEchoBotProcess(discord: FakeDiscord): ChildProcess {
  return spawn(process.execPath, [botScript], {
    env: { ...process.env, DISCORD_API_BASE: discord.apiBase, DISCORD_TOKEN: discord.token },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Starts fixtures/shard-bot.mjs in its own process as `shards` of `shardCount`. */
export function startShardBotProcess(discord: FakeDiscord, shards: number[], shardCount: number): ChildProcess {
  return spawn(process.execPath, [shardBotScript], {
    env: {
      ...process.env,
      DISCORD_API_BASE: discord.apiBase,
      DISCORD_TOKEN: discord.token,
      BOT_SHARDS: JSON.stringify(shards),
      BOT_SHARD_COUNT: String(shardCount),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
