import { DiscordAPIError, Routes } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { useConnectedClient } from './connect-client.js';

describe('GIVEN requests real Discord would refuse', () => {
  const env = useConnectedClient();

  it('WHEN a bot message has 2001 characters THEN it is refused with 50035 and flagged', async () => {
    const { discord, client } = env;
    const send = client.rest.post(Routes.channelMessages(discord.channel().id), { body: { content: 'x'.repeat(2001) } });
    await expect(send).rejects.toMatchObject({ status: 400, code: 50035 });
    expect(discord.violations.map((v) => v.kind)).toEqual(['discord-rule']);
    expect(() => discord.assertNoViolations()).toThrow(/POST \/channels\/\d+\/messages: 50035 Invalid Form Body .*2000 or fewer/);
  });

  it('WHEN a body breaks the schema THEN it is refused with 50035 before any handler runs', async () => {
    const { discord, client } = env;
    const send = client.rest.post(Routes.channelMessages(discord.channel().id), { body: { content: 'hi', embeds: 'not an array' } });
    await expect(send).rejects.toBeInstanceOf(DiscordAPIError);
    expect(discord.requests.at(-1)?.status).toBe(400);
    expect(discord.takeViolations()).toMatchObject([{ kind: 'invalid-body', message: expect.stringContaining('/embeds must be array') }]);
    expect(discord.messages()).toEqual([]);
  });

  it('WHEN the bot calls an undocumented route THEN it gets 404 and the call is flagged', async () => {
    const { discord, client } = env;
    await expect(client.rest.post('/channels/1/animate', { body: {} })).rejects.toMatchObject({ status: 404 });
    const [violation] = discord.takeViolations();
    expect(violation).toMatchObject({ kind: 'undocumented-route', method: 'POST', path: '/channels/1/animate' });
  });

  it('WHEN the bot calls a documented route the fake lacks THEN the test hears of it', async () => {
    const { discord, client } = env;
    await expect(client.rest.get(Routes.guildRoles(discord.guild().id))).rejects.toMatchObject({ status: 404 });
    expect(discord.takeViolations().map((v) => v.kind)).toEqual(['unimplemented-route']);
  });

  it('WHEN a message names an attachment without its file part THEN it is refused and flagged', async () => {
    const { discord, client } = env;
    const send = client.rest.post(Routes.channelMessages(discord.channel().id), { body: { content: 'clip', attachments: [{ id: '0' }] } });
    await expect(send).rejects.toMatchObject({ code: 50035 });
    expect(discord.takeViolations().map((v) => v.kind)).toEqual(['missing-file-part']);
  });

  it('WHEN channel messages are sent, edited and deleted THEN they validate and the fake keeps their state', async () => {
    const { discord, client } = env;
    const channel = await client.channels.fetch(discord.channel().id);
    if (!channel?.isSendable()) throw new Error('expected a text channel');
    const sent = await channel.send({ content: 'first', files: [{ attachment: Buffer.from('abc'), name: 'a.txt' }] });
    const edited = await sent.edit({ content: 'second', attachments: [] });
    expect(edited.content).toBe('second');
    expect(discord.message(sent.id)?.attachments).toEqual([]);
    await sent.delete();
    expect(discord.message(sent.id)).toBeUndefined();
    discord.assertNoViolations();
  });
});
