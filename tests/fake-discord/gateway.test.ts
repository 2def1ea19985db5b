import { Events, GatewayCloseCodes, GatewayOpcodes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord/index.js';
import { useConnectedClient } from './connect-client.js';
import { rawGateway } from './raw-gateway.js';

describe('GIVEN the fake gateway', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await FakeDiscord.start({ guilds: [{ name: 'one' }, { name: 'two' }] });
  });
  afterEach(async () => {
    await discord.close();
  });

  it('THEN it says HELLO, answers IDENTIFY with READY and one GUILD_CREATE per guild, and ACKs heartbeats', async () => {
    const gw = await rawGateway(discord);
    expect((await gw.next((f) => f.op === GatewayOpcodes.Hello)).d).toEqual({ heartbeat_interval: 41_250 });
    gw.send({ op: GatewayOpcodes.Identify, d: { token: discord.token, intents: 1, properties: { os: 'linux', browser: 'test', device: 'test' } } });
    const ready = await gw.next((f) => f.t === 'READY');
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({
      v: 10,
      user: { id: discord.botUser.id, bot: true },
      application: { id: discord.applicationId },
      guilds: discord.guilds.map((g) => ({ id: g.id, unavailable: true })),
      resume_gateway_url: discord.gatewayUrl,
    });
    await gw.next((f) => f.t === 'GUILD_CREATE' && f.d.name === 'two');
    expect(gw.frames.filter((f) => f.t === 'GUILD_CREATE').map((f) => f.s)).toEqual([2, 3]);
    gw.send({ op: GatewayOpcodes.Heartbeat, d: 3 });
    await gw.next((f) => f.op === GatewayOpcodes.HeartbeatAck);
    gw.ws.close();
  });

  it('THEN a wrong token is closed with 4004', async () => {
    const gw = await rawGateway(discord);
    gw.send({ op: GatewayOpcodes.Identify, d: { token: 'wrong', intents: 1, properties: {} } });
    expect(await gw.closed).toBe(GatewayCloseCodes.AuthenticationFailed);
  });

  it('THEN anything before IDENTIFY other than a heartbeat is refused with 4003', async () => {
    const gw = await rawGateway(discord);
    gw.send({ op: GatewayOpcodes.PresenceUpdate, d: {} });
    expect(await gw.closed).toBe(GatewayCloseCodes.NotAuthenticated);
  });
});

describe('GIVEN a discord.js client on the fake gateway', () => {
  const env = useConnectedClient();
  const commandNames: string[] = [];
  beforeEach(() => {
    commandNames.length = 0;
    env.client.on(Events.InteractionCreate, async (i) => {
      if (!i.isChatInputCommand()) return;
      commandNames.push(i.commandName);
      await i.reply('ok');
    });
  });

  it('WHEN the connection dies THEN the client resumes and gets what was dispatched meanwhile', async () => {
    const { discord } = env;
    discord.dropGateway();
    const missed = await discord.slashCommand({ name: 'while-away', createdAt: discord.now() });
    await discord.waitForReady();
    await missed.waitForAck({ timeout: 10_000 });
    expect(discord.resumeCount).toBe(1);
    expect(discord.identifies).toHaveLength(1);
    expect(commandNames).toEqual(['while-away']);
  });

  it('WHEN Discord closes with 4000 or asks to reconnect THEN the client resumes', async () => {
    const { discord } = env;
    discord.dropGateway({ code: GatewayCloseCodes.UnknownError });
    await expect.poll(() => discord.resumeCount, { timeout: 10_000 }).toBe(1);
    discord.requestReconnect();
    await expect.poll(() => discord.resumeCount, { timeout: 10_000 }).toBe(2);
    await (await discord.slashCommand({ name: 'after' })).waitForAck();
    expect(discord.identifies).toHaveLength(1);
  });

  it('WHEN the session is invalidated THEN the client identifies afresh and keeps working', async () => {
    const { discord } = env;
    discord.invalidateSession();
    await discord.waitForReady({ identifies: 2 });
    await (await discord.slashCommand({ name: 'fresh' })).waitForAck();
    expect(discord.resumeCount).toBe(0);
    expect(commandNames).toEqual(['fresh']);
  });

  it('WHEN the client closes with 1000 THEN its session ends, as on Discord, and an interaction then reaches nobody', async () => {
    const { discord, client } = env;
    await client.destroy();
    await expect.poll(() => discord.gatewaySessions().map((s) => [s.live, s.connected])).toEqual([[false, false]]);
    const interaction = await discord.slashCommand({ name: 'too-late' });
    expect(interaction.delivered).toBe(false);
    await expect(interaction.waitForAck()).rejects.toThrow(/never delivered: no live gateway session receives guild \d+'s events; live sessions: none/);
    expect(discord.undeliveredInteractions()).toEqual([interaction]);
  });
});
