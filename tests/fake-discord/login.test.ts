import { ChannelType, Client, GatewayIntentBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord/index.js';
import { connectClient } from './connect-client.js';

describe('GIVEN the fake Discord and a real discord.js client', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await FakeDiscord.start({ guilds: [{ name: 'Puppets', channels: [{ name: 'general' }, { name: 'clips' }] }] });
  });
  afterEach(async () => {
    await discord.close();
  });

  it('THEN login reaches ready with the guild, its channels and the bot user cached', async () => {
    const started = performance.now();
    const client = await connectClient(discord);
    try {
      expect(performance.now() - started).toBeLessThan(2000);
      expect(client.user?.id).toBe(discord.botUser.id);
      expect(client.application?.id).toBe(discord.applicationId);
      const guild = client.guilds.cache.get(discord.guild().id);
      expect(guild?.name).toBe('Puppets');
      expect(guild?.channels.cache.map((c) => c.name).sort()).toEqual(['clips', 'general']);
      expect(guild?.members.me?.id).toBe(discord.botUser.id);
      const channel = await client.channels.fetch(discord.channel().id);
      expect(channel?.type).toBe(ChannelType.GuildText);

      expect(discord.requests.map((r) => `${r.method} ${r.route}`)).toEqual(['GET /gateway/bot']);
      expect(discord.identifies).toHaveLength(1);
      expect(discord.identifies[0]?.['intents']).toBe(GatewayIntentBits.Guilds);
      expect(JSON.stringify(discord.identifies)).not.toContain(discord.token);
      discord.assertNoViolations();
    } finally {
      await client.destroy();
    }
  });

  it('THEN a wrong token gets 401 from GET /gateway/bot and login fails', async () => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiBase } });
    await expect(client.login('not-the-token')).rejects.toThrow(/invalid token/i);
    await client.destroy();
    expect(discord.requests.map((r) => [r.route, r.status])).toEqual([['/gateway/bot', 401]]);
    expect(discord.takeViolations().map((v) => v.kind)).toEqual(['unauthorized']);
    expect(discord.identifies).toHaveLength(0);
  });
});
