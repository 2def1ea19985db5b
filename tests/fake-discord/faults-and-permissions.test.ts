import { AttachmentBuilder, DiscordAPIError, Events, PermissionFlagsBits, RESTEvents, type Client, type TextChannel } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord/index.js';
import { connectClient } from './connect-client.js';

describe('GIVEN injected failures and missing rights', () => {
  let discord: FakeDiscord;
  let client: Client;
  const start = async (options: Parameters<typeof FakeDiscord.start>[0] = {}) => {
    discord = await FakeDiscord.start(options);
    client = await connectClient(discord);
  };
  const general = async () => (await client.channels.fetch(discord.channel().id)) as TextChannel;
  afterEach(async () => {
    await client.destroy();
    await discord.close();
  });

  it('WHEN a send gets 429 with Retry-After: 1 THEN discord.js waits and retries', async () => {
    await start();
    discord.failRequests({ match: 'create_message', status: 429, retryAfter: 1 });
    const began = performance.now();
    await (await general()).send('after the limit');
    const elapsed = performance.now() - began;
    const sends = discord.requests.filter((r) => r.operationId === 'create_message');
    expect(sends.map((r) => r.status)).toEqual([429, 200]);
    expect(sends[0]?.response).toEqual({ message: 'You are being rate limited.', retry_after: 1, global: false, code: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
    discord.assertNoViolations();
  });

  it('WHEN a global 429 comes THEN discord.js reports a rate limit and still delivers', async () => {
    await start();
    const limited = new Promise<{ global: boolean }>((resolve) => client.rest.once(RESTEvents.RateLimited, resolve));
    discord.failRequests({ match: '/channels/{channel_id}/messages', method: 'POST', retryAfter: 0.2, global: true });
    await (await general()).send('global');
    expect((await limited).global).toBe(true);
  });

  it('WHEN a request gets 500 THEN discord.js retries it; past its retries it throws', async () => {
    await start();
    discord.failRequests({ match: 'create_message', status: 500 });
    await (await general()).send('second try');
    expect(discord.requests.filter((r) => r.operationId === 'create_message').map((r) => r.status)).toEqual([500, 200]);

    discord.failRequests({ match: 'create_message', status: 502, times: 10 });
    await expect((await general()).send('never')).rejects.toMatchObject({ status: 502 });
  });

  it('WHEN the bot may not send in a channel THEN sending gets 403 50013 and the bot sees the overwrite', async () => {
    await start({ guilds: [{ channels: [{ name: 'general' }, { name: 'locked', botCanSend: false }] }] });
    const locked = (await client.channels.fetch(discord.guild().channels[1]!.id)) as TextChannel;
    expect(locked.permissionsFor(client.user!)?.has(PermissionFlagsBits.SendMessages)).toBe(false);
    await expect(locked.send('hello')).rejects.toMatchObject({ status: 403, code: 50013 });

    const channel = await general();
    expect(channel.permissionsFor(client.user!)?.has(PermissionFlagsBits.SendMessages)).toBe(true);
    await discord.updateChannel(channel.id, { botCanSend: false });
    await expect.poll(() => channel.permissionsFor(client.user!)?.has(PermissionFlagsBits.SendMessages)).toBe(false);
    await expect(channel.send('hello')).rejects.toMatchObject({ code: 50013 });
    discord.assertNoViolations();
  });

  it('WHEN a user has closed DMs THEN opening the DM works and sending gets 403 50007', async () => {
    await start();
    const open = discord.addUser({ username: 'open' });
    const closed = discord.addUser({ username: 'closed', dmsClosed: true });
    await client.users.send(open.id, 'your clip');
    expect(discord.messages({ channelId: discord.dmChannel(open).id }).map((m) => m.content)).toEqual(['your clip']);
    const error = await client.users.send(closed.id, 'your clip').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ status: 403, code: 50007, message: 'Cannot send messages to this user' });
    discord.assertNoViolations();
  });

  it('WHEN the bot uploads over attachment_size_limit THEN it gets 413 40005 and the upload is flagged', async () => {
    await start({ attachmentSizeLimit: 1000 });
    const result = new Promise<unknown>((resolve) =>
      client.once(Events.InteractionCreate, async (i) => {
        if (!i.isChatInputCommand()) return;
        await i.deferReply();
        resolve(await i.editReply({ files: [new AttachmentBuilder(Buffer.alloc(i.attachmentSizeLimit + 1), { name: 'big.mp4' })] }).catch((e: unknown) => e));
      }),
    );
    await discord.slashCommand({ name: 'animate' });
    expect(await result).toMatchObject({ status: 413, code: 40005 });
    expect(discord.takeViolations().map((v) => v.kind)).toEqual(['discord-rule']);
  });
});
