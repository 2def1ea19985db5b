import { REST, Routes, ShardingManager, type APIGatewayBotInfo } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord/index.js';
import { shardBotScript } from './echo-bot-process.js';

/**
 * discord.js's ShardingManager (one process per shard) against the fake.
 * The manager hands each process SHARDS, SHARD_COUNT and DISCORD_TOKEN; the
 * API base travels in `shard.env`, set on `shardCreate`, before the process
 * starts. `totalShards: 'auto'` cannot be pointed at the fake: it calls
 * `fetchRecommendedShardCount`, which fetches `https://discord.com/api/v10/gateway/bot`
 * (discord-api-types' `RouteBases.api`, a constant) with undici, whatever the
 * options or the environment say. See docs/fake-discord.md ("Sharding").
 */

const MANAGER_ENV = ['SHARDING_MANAGER', 'SHARDING_MANAGER_MODE', 'DISCORD_TOKEN'] as const;

describe('GIVEN a ShardingManager running fixtures/shard-bot.mjs against the fake', () => {
  let discord: FakeDiscord;
  let manager: ShardingManager | undefined;
  const savedEnv = Object.fromEntries(MANAGER_ENV.map((name) => [name, process.env[name]]));
  beforeEach(async () => {
    discord = await FakeDiscord.start({
      guilds: [0, 1, 2].flatMap((shard) => [{ onShard: [shard, 3] as [number, number] }, { onShard: [shard, 3] as [number, number] }]),
      recommendedShards: 3,
      maxConcurrency: 4,
    });
  });
  afterEach(async () => {
    for (const shard of manager?.shards.values() ?? []) shard.kill();
    manager = undefined;
    // The manager writes these into its own process's environment.
    for (const name of MANAGER_ENV) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
    await discord.close();
  });

  const startManager = (totalShards: number | 'auto') => {
    const started = new ShardingManager(shardBotScript, { token: discord.token, totalShards, mode: 'process', respawn: false });
    started.on('shardCreate', (shard) => Object.assign(shard.env as NodeJS.ProcessEnv, { DISCORD_API_BASE: discord.apiBase }));
    manager = started;
    return started;
  };

  /** Each shard's guilds are answered by that shard's process. */
  const expectEachShardAnswers = async (numShards: number) => {
    for (let shardId = 0; shardId < numShards; shardId++) {
      const interaction = await discord.slashCommand({ name: 'whoami', guildId: discord.guildsOnShard(shardId, numShards)[0]?.id });
      await interaction.waitForAck();
      const pid = manager?.shards.get(shardId)?.process?.pid;
      expect(interaction.originalMessage()?.content).toBe(`shard ${shardId} of ${numShards} in ${pid}`);
    }
  };

  it("WHEN its shard count comes from the fake's GET /gateway/bot THEN it starts that many processes and each answers its own guilds", async () => {
    // What totalShards: 'auto' computes, asked of the fake through discord.js's REST client.
    const { shards } = (await new REST({ api: discord.apiBase }).setToken(discord.token).get(Routes.gatewayBot())) as APIGatewayBotInfo;
    expect(shards).toBe(3);
    await startManager(shards).spawn({ delay: 0, timeout: 20_000 });
    await discord.waitForReady({ identifies: 3, timeout: 20_000 });
    expect(discord.gatewaySessions().map((s) => s.shard)).toEqual(
      expect.arrayContaining([
        [0, 3],
        [1, 3],
        [2, 3],
      ]),
    );
    expect(new Set([...(manager?.shards.values() ?? [])].map((s) => s.process?.pid)).size).toBe(3);
    await expectEachShardAnswers(3);
    discord.assertNoViolations();
  });

  it("WHEN totalShards is 'auto' THEN it asks discord.com, not the fake, for the count; redirected there, it follows the fake's", async () => {
    // undici's global dispatcher (the mechanism behind its setGlobalDispatcher) sends this process's discord.com requests to the fake:
    // a test-only shim that shows the one missing piece is the URL. Bot code cannot rely on this.
    const key = Symbol.for('undici.globalDispatcher.1');
    const slot = globalThis as unknown as Record<symbol, { dispatch: (options: { origin?: unknown }, handler: unknown) => boolean }>;
    const original = slot[key];
    if (!original) throw new Error("undici's global dispatcher is not set; has discord.js changed its HTTP client?");
    const asked: string[] = [];
    slot[key] = {
      dispatch: (options, handler) => {
        const origin = String(options.origin);
        asked.push(origin);
        return original.dispatch(origin === 'https://discord.com' ? { ...options, origin: discord.origin } : options, handler);
      },
    };
    try {
      await startManager('auto').spawn({ delay: 0, timeout: 20_000 });
    } finally {
      slot[key] = original;
    }
    expect(asked[0]).toBe('https://discord.com');
    expect(discord.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', status: 200 });
    expect(manager?.totalShards).toBe(3);
    await discord.waitForReady({ identifies: 3, timeout: 20_000 });
    await expectEachShardAnswers(3);
    discord.assertNoViolations();
  });
});
