import type { ChildProcess } from 'node:child_process';
import {
  Client,
  Events,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  REST,
  Routes,
  type APIGatewayBotInfo,
  type ClientOptions,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord, type FakeDiscordOptions, type FakeGuildInit } from '../support/fake-discord/index.js';
import { startShardBotProcess } from './echo-bot-process.js';
import { rawGateway } from './raw-gateway.js';

/** `perShard` guilds on each of shards 0 and 1 of 2, named after their shard. */
function guildsOnTwoShards(perShard = 3): FakeGuildInit[] {
  return [0, 1].flatMap((shard) =>
    Array.from({ length: perShard }, (_, n) => ({ name: `shard ${shard} guild ${n}`, onShard: [shard, 2] as [number, number] })),
  );
}

function gatewayBot(discord: FakeDiscord): Promise<APIGatewayBotInfo> {
  return new REST({ api: discord.apiBase }).setToken(discord.token).get(Routes.gatewayBot()) as Promise<APIGatewayBotInfo>;
}

/** A discord.js client on the fake that answers /whoami with the shard the interaction arrived on. */
async function startClient(discord: FakeDiscord, sharding: Pick<ClientOptions, 'shards' | 'shardCount'>): Promise<Client> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiBase }, ...sharding });
  const arrivedOn = new Map<string, number>();
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data, shardId) => arrivedOn.set(data.id, shardId));
  client.on(Events.InteractionCreate, async (interaction) => {
    if (interaction.isChatInputCommand()) await interaction.reply(`shard ${arrivedOn.get(interaction.id)}`);
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(discord.token);
  await ready;
  return client;
}

describe('GIVEN the fake with guilds on two shards', () => {
  let discord: FakeDiscord;
  const start = async (options: FakeDiscordOptions = {}) => {
    discord = await FakeDiscord.start({ guilds: guildsOnTwoShards(), ...options });
    return discord;
  };
  afterEach(async () => {
    await discord.close();
  });

  it("THEN onShard gives ids on the shard asked for, by Discord's formula (guild_id >> 22) % num_shards", async () => {
    await start();
    expect(discord.guilds.map((g) => FakeDiscord.shardOf(g.id, 2))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(discord.guildsOnShard(1, 2).map((g) => g.name)).toEqual(['shard 1 guild 0', 'shard 1 guild 1', 'shard 1 guild 2']);
    const many = await Promise.all(Array.from({ length: 50 }, (_, n) => discord.addGuild({ onShard: [n % 7, 7] })));
    expect(many.map((g) => FakeDiscord.shardOf(g.id, 7))).toEqual(Array.from({ length: 50 }, (_, n) => n % 7));
    expect(new Set(discord.guilds.map((g) => g.id)).size).toBe(56);
    // 81384788765712384 is on shard 7 of 17 (the worked example in serenity's docs).
    expect(FakeDiscord.shardOf('81384788765712384', 17)).toBe(7);
    await expect(discord.addGuild({ id: '81384788765712384', onShard: [0, 17] })).rejects.toThrow(/falls on shard 7 of 17/);
  });

  it("THEN GET /gateway/bot's shards is the recommended count: 1 by default, as configured, or raised until no shard is over the limit", async () => {
    await start({ maxConcurrency: 4 });
    expect(await gatewayBot(discord)).toEqual({
      url: discord.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 4 },
    });
    await discord.close();

    await start({ recommendedShards: 3 });
    expect((await gatewayBot(discord)).shards).toBe(3);
    await discord.close();

    // 3 guilds per shard of 2, at most 2 per shard: 2 shards hold 3 each, 3 shards hold at most 2 each.
    await start({ maxGuildsPerShard: 2 });
    const { shards } = await gatewayBot(discord);
    expect(shards).toBe(discord.recommendedShards);
    expect(shards).toBeGreaterThanOrEqual(3);
    expect(Array.from({ length: shards }, (_, n) => discord.guildsOnShard(n, shards).length).every((count) => count <= 2)).toBe(true);
    discord.assertNoViolations();
  });

  it('THEN a raw IDENTIFY with a shard gets READY with only that shard, and only its guilds', async () => {
    await start();
    const gw = await rawGateway(discord);
    gw.identify([1, 2]);
    const ready = await gw.next((f) => f.t === 'READY');
    const mine = discord.guildsOnShard(1, 2).map((g) => g.id);
    expect(ready.d.shard).toEqual([1, 2]);
    expect(ready.d.guilds).toEqual(mine.map((id) => ({ id, unavailable: true })));
    await gw.next((f) => f.t === 'GUILD_CREATE' && f.d.id === mine[2]);
    expect(gw.frames.filter((f) => f.t === 'GUILD_CREATE').map((f) => f.d.id)).toEqual(mine);
    expect(discord.identifies[0]?.['shard']).toEqual([1, 2]);
    expect(discord.gatewaySessions()).toEqual([
      { id: ready.d.session_id, shard: [1, 2], sharded: true, live: true, connected: true, ready: true, resumes: 0, guildIds: mine },
    ]);
    gw.ws.close();
  });

  it('THEN an invalid shard is closed with 4010 and recorded', async () => {
    await start();
    for (const shard of [[2, 2], [-1, 2], [0, 0], [0.5, 2], 'all', [0]]) {
      const gw = await rawGateway(discord);
      gw.identify(shard);
      expect(await gw.closed, JSON.stringify(shard)).toBe(GatewayCloseCodes.InvalidShard);
    }
    expect(discord.identifies).toHaveLength(0);
    expect(discord.gatewayRefusals.map((r) => [r.shard, r.refusal])).toEqual([
      [[2, 2], 4010],
      [[-1, 2], 4010],
      [[0, 0], 4010],
      [[0.5, 2], 4010],
      ['all', 4010],
      [[0], 4010],
    ]);
    expect(discord.takeViolations().map((v) => v.kind)).toEqual(Array(6).fill('gateway-refused'));
  });

  it('THEN a session that would hold more guilds than a shard may is closed with 4011: unsharded, or with too few shards', async () => {
    await start({ maxGuildsPerShard: 3 });
    const refused = async (shard?: [number, number]) => {
      const gw = await rawGateway(discord);
      gw.identify(shard);
      return gw.closed;
    };
    expect(await refused()).toBe(GatewayCloseCodes.ShardingRequired);
    expect(await refused([0, 1])).toBe(GatewayCloseCodes.ShardingRequired);
    const fits = await rawGateway(discord);
    fits.identify([0, 2]);
    expect((await fits.next((f) => f.t === 'READY')).d.guilds).toHaveLength(3);
    expect(discord.gatewayRefusals.map((r) => r.reason)).toEqual([
      'an unsharded session would receive 6 guilds; a shard may hold 3: identify with more shards',
      'shard 0 of 1 would receive 6 guilds; a shard may hold 3: identify with more shards',
    ]);
    expect(discord.takeViolations().map((v) => v.kind)).toEqual(['gateway-refused', 'gateway-refused']);
    fits.ws.close();
  });

  it('THEN sessions with different num_shards, or two on one shard, at once are flagged; a shard that replaces a lost one is not', async () => {
    await start();
    const first = await rawGateway(discord);
    first.identify([0, 2]);
    await first.next((f) => f.t === 'READY');
    const other = await rawGateway(discord);
    other.identify([1, 3]);
    await other.next((f) => f.t === 'READY');
    const twin = await rawGateway(discord);
    twin.identify([0, 2]);
    await twin.next((f) => f.t === 'READY');
    expect(discord.takeViolations().map((v) => [v.kind, v.path, v.message.slice(0, 45)])).toEqual([
      ['shard-layout', 'IDENTIFY', 'shard 1 of 3 connected while shard 0 of 2 is:'],
      ['shard-layout', 'IDENTIFY', 'two connected sessions on shard 0 of 2: both '],
      ['shard-layout', 'IDENTIFY', 'shard 0 of 2 connected while shard 1 of 3 is:'],
    ]);
    for (const gw of [first, other, twin]) gw.ws.terminate();
    await Promise.all([first.closed, other.closed, twin.closed]);
    const again = await rawGateway(discord);
    again.identify([0, 2]);
    await again.next((f) => f.t === 'READY');
    discord.assertNoViolations();
    again.ws.close();
  });

  it('THEN IDENTIFYs in one bucket less than 5 s apart get op 9 when the rate limit is on, and other buckets do not wait', async () => {
    await start({ enforceIdentifyRateLimit: true, maxConcurrency: 2 });
    const identified = async (shard: [number, number]) => {
      const gw = await rawGateway(discord);
      gw.identify(shard);
      return gw.next((f) => f.t === 'READY' || f.op === 9);
    };
    expect((await identified([0, 4])).t).toBe('READY');
    expect((await identified([1, 4])).t).toBe('READY');
    expect(await identified([2, 4])).toMatchObject({ op: 9, d: false });
    discord.advanceTime(5000);
    expect((await identified([2, 4])).t).toBe('READY');
    expect(discord.gatewayRefusals.map((r) => [r.shard, r.refusal])).toEqual([[[2, 4], 'invalid-session']]);
  });
});

describe('GIVEN one discord.js client running shards 0 and 1 of 2 on the fake', () => {
  let discord: FakeDiscord;
  let client: Client;
  beforeEach(async () => {
    // max_concurrency 2 lets discord.js identify both shards at once instead of 5 s apart.
    discord = await FakeDiscord.start({ guilds: guildsOnTwoShards(), maxConcurrency: 2 });
    client = await startClient(discord, { shards: [0, 1], shardCount: 2 });
  });
  afterEach(async () => {
    await client.destroy();
    discord.assertNoViolations();
    await discord.close();
  });

  it('THEN each shard gets READY and GUILD_CREATE for its own guilds only, and the client sees every guild on the right shard', async () => {
    expect(discord.identifies.map((i) => i['shard'])).toEqual(
      expect.arrayContaining([
        [0, 2],
        [1, 2],
      ]),
    );
    for (const guild of discord.guilds) expect(client.guilds.cache.get(guild.id)?.shardId).toBe(FakeDiscord.shardOf(guild.id, 2));
    for (const session of discord.gatewaySessions()) {
      const [shardId] = session.shard;
      const onShard = discord.guildsOnShard(shardId, 2).map((g) => g.id);
      expect(session.guildIds).toEqual(onShard);
      const sent = discord.dispatches.filter((d) => d.sessionId === session.id);
      expect((sent.find((d) => d.t === 'READY')?.d as { guilds: Array<{ id: string }> }).guilds.map((g) => g.id)).toEqual(onShard);
      expect(sent.filter((d) => d.t === 'GUILD_CREATE').map((d) => d.guildId)).toEqual(onShard);
    }
    expect(discord.requests.map((r) => r.route)).toEqual(['/gateway/bot']);
  });

  it('WHEN members use a command in a guild of each shard and in a DM THEN each reaches the client through its shard only (DMs: shard 0)', async () => {
    for (const [guildId, shard] of [
      [discord.guildsOnShard(1, 2)[0]?.id, 1],
      [discord.guildsOnShard(0, 2)[2]?.id, 0],
      [null, 0],
    ] as const) {
      const interaction = await discord.slashCommand({ name: 'whoami', guildId });
      expect(interaction.deliveredTo).toEqual([{ sessionId: expect.any(String), shard: [shard, 2], queued: false }]);
      await interaction.waitForAck();
      expect(interaction.originalMessage()?.content).toBe(`shard ${shard}`);
    }
    expect(discord.dispatches.filter((d) => d.t === 'INTERACTION_CREATE').map((d) => d.shard[0])).toEqual([1, 0, 0]);
  });

  it('WHEN shard 1 loses its connection THEN only shard 1 resumes, with its session and shard, and gets what was dispatched meanwhile', async () => {
    const before = discord.gatewaySessions();
    expect(() => discord.dropGateway()).toThrow(/Several gateway connections \(shard 0 of 2, shard 1 of 2\)/);
    discord.dropGateway({ shard: 1 });
    const missed = await discord.slashCommand({ name: 'whoami', guildId: discord.guildsOnShard(1, 2)[1]?.id });
    expect(missed.deliveredTo).toMatchObject([{ shard: [1, 2], queued: true }]);
    await missed.waitForAck({ timeout: 10_000 });
    expect(missed.originalMessage()?.content).toBe('shard 1');
    const after = discord.gatewaySessions();
    expect(after.map((s) => [s.id, s.shard, s.connected, s.resumes])).toEqual(before.map((s) => [s.id, s.shard, true, s.shard[0] === 1 ? 1 : 0]));
    expect(discord.identifies).toHaveLength(2);
  });

  it('WHEN the bot joins a guild THEN only the shard that owns it gets GUILD_CREATE', async () => {
    const joined = new Promise<string>((resolve) => client.once(Events.GuildCreate, (guild) => resolve(`${guild.id} on ${guild.shardId}`)));
    const guild = await discord.addGuild({ name: 'new', onShard: [1, 2] });
    expect(await joined).toBe(`${guild.id} on 1`);
    expect(discord.dispatches.filter((d) => d.guildId === guild.id).map((d) => [d.t, d.shard])).toEqual([['GUILD_CREATE', [1, 2]]]);
  });
});

describe('GIVEN shards 0 and 1 of 2 in two separate processes', () => {
  let discord: FakeDiscord;
  const children: ChildProcess[] = [];
  const startShard = (shard: number) => {
    const child = startShardBotProcess(discord, [shard], 2);
    children.push(child);
    return child;
  };
  beforeEach(async () => {
    discord = await FakeDiscord.start({ guilds: guildsOnTwoShards(2) });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await discord.close();
  });

  it("THEN each process gets only its own guilds' interactions; one for a shard with no session is not delivered", async () => {
    const shard0 = startShard(0);
    await discord.waitForReady({ shard: 0, timeout: 20_000 });
    const early = await discord.slashCommand({ name: 'whoami', guildId: discord.guildsOnShard(1, 2)[0]?.id });
    expect(early.delivered).toBe(false);
    expect(discord.undeliveredInteractions()).toEqual([early]);
    await expect(early.waitForAck()).rejects.toThrow(/never delivered: no live gateway session receives guild \d+'s events \(it is on shard 1 of 2\)/);

    const shard1 = startShard(1);
    await discord.waitForReady({ identifies: 2, timeout: 20_000 });
    for (const [guild, shard, child] of [
      [discord.guildsOnShard(0, 2)[1], 0, shard0],
      [discord.guildsOnShard(1, 2)[1], 1, shard1],
    ] as const) {
      const interaction = await discord.slashCommand({ name: 'whoami', guildId: guild?.id });
      await interaction.waitForAck();
      expect(interaction.originalMessage()?.content).toBe(`shard ${shard} of 2 in ${child.pid}`);
    }
    const dm = await discord.slashCommand({ name: 'whoami', guildId: null });
    await dm.waitForAck();
    expect(dm.originalMessage()?.content).toBe(`shard 0 of 2 in ${shard0.pid}`);
    discord.assertNoViolations();
  });

  it('WHEN the shard 1 process is killed and started again THEN what came meanwhile is lost with its session, the new process gets the rest', async () => {
    const shard0 = startShard(0);
    const first = startShard(1);
    await discord.waitForReady({ identifies: 2, timeout: 20_000 });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const guildId = discord.guildsOnShard(1, 2)[0]?.id;
    // A SIGKILL sends no close code, so the session stays resumable, as on Discord: the event waits in it for a RESUME that never comes.
    const whileDown = await discord.slashCommand({ name: 'whoami', guildId });
    expect(whileDown.deliveredTo).toMatchObject([{ shard: [1, 2], queued: true }]);
    const onShard0 = await discord.slashCommand({ name: 'whoami', guildId: discord.guildsOnShard(0, 2)[0]?.id });
    await onShard0.waitForAck();
    expect(onShard0.originalMessage()?.content).toBe(`shard 0 of 2 in ${shard0.pid}`);

    const second = startShard(1);
    await discord.waitForReady({ identifies: 3, timeout: 20_000 });
    const after = await discord.slashCommand({ name: 'whoami', guildId });
    await after.waitForAck();
    expect(after.originalMessage()?.content).toBe(`shard 1 of 2 in ${second.pid}`);
    expect(whileDown.ack).toBeUndefined();
    const sessions = discord.gatewaySessions().map((s) => [s.shard, s.connected, s.live]);
    expect(sessions).toHaveLength(3);
    expect(sessions).toEqual(
      expect.arrayContaining([
        [[0, 2], true, true],
        [[1, 2], false, true],
        [[1, 2], true, true],
      ]),
    );
    expect(discord.resumeCount).toBe(0);
    discord.assertNoViolations();
  });
});

describe('GIVEN a discord.js client whose sharding does not fit the fake', () => {
  let discord: FakeDiscord;
  afterEach(async () => {
    await discord.close();
  });

  /** Logs in and resolves with the close code of the first shard that gives up. */
  const shardGivesUp = async (options: Pick<ClientOptions, 'shards' | 'shardCount'>) => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiBase }, ...options });
    const disconnected = new Promise<number>((resolve) => client.once(Events.ShardDisconnect, (event) => resolve(event.code)));
    client.login(discord.token).catch(() => undefined);
    try {
      return await disconnected;
    } finally {
      await client.destroy();
    }
  };

  it('WHEN it runs shard 1 without a shard count THEN discord.js identifies [1, 1] and gets 4010', async () => {
    discord = await FakeDiscord.start({ guilds: guildsOnTwoShards(1) });
    expect(await shardGivesUp({ shards: [1] })).toBe(GatewayCloseCodes.InvalidShard);
    expect(discord.gatewayRefusals.map((r) => r.shard)).toEqual([[1, 1]]);
    expect(discord.takeViolations().map((v) => v.message)).toEqual(['closed with 4010 Invalid shard: shard_id must be in 0…0; got 1']);
  });

  it("WHEN it is in more guilds than one shard may hold THEN one shard gets 4011, and shards: 'auto' follows /gateway/bot and connects", async () => {
    discord = await FakeDiscord.start({ guilds: guildsOnTwoShards(2), maxGuildsPerShard: 2, maxConcurrency: 8 });
    expect(await shardGivesUp({})).toBe(GatewayCloseCodes.ShardingRequired);
    expect(discord.takeViolations().map((v) => v.kind)).toEqual(['gateway-refused']);

    const client = await startClient(discord, { shards: 'auto' });
    try {
      const shards = discord.recommendedShards;
      expect(shards).toBeGreaterThanOrEqual(2);
      expect(client.options.shardCount).toBe(shards);
      expect(discord.identifies.slice(-shards).map((i) => i['shard'])).toEqual(expect.arrayContaining(Array.from({ length: shards }, (_, n) => [n, shards])));
      expect(client.guilds.cache.size).toBe(4);
      discord.assertNoViolations();
    } finally {
      await client.destroy();
    }
  });
});
