import { DiscordAPIError, Events, InteractionResponseType, Routes, type ChatInputCommandInteraction, type Client } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { useConnectedClient } from './connect-client.js';

/** Collects the bot's outcome per interaction so tests can await it. */
function outcomes(client: Client, run: (i: ChatInputCommandInteraction) => Promise<string>) {
  const results = new Map<string, Promise<string>>();
  const waiting = new Map<string, (value: string) => void>();
  /** Makes the interaction's outcome promise (once), so its resolver is there before the bot's run settles. */
  const track = (id: string) => {
    if (!results.has(id)) results.set(id, new Promise((resolve) => waiting.set(id, resolve)));
  };
  const get = (id: string) => {
    track(id);
    return results.get(id) as Promise<string>;
  };
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    track(interaction.id);
    run(interaction).then(
      (value) => waiting.get(interaction.id)?.(value),
      (error: unknown) => waiting.get(interaction.id)?.(error instanceof DiscordAPIError ? `error ${error.code}` : `crash ${String(error)}`),
    );
  });
  return get;
}

describe('GIVEN interaction tokens and acknowledgements', () => {
  const env = useConnectedClient();

  it('WHEN the token expires before the result THEN the follow-up gets 50027 and the bot can post to the channel', async () => {
    const { discord, client } = env;
    let release!: () => void;
    const slowJob = new Promise<void>((resolve) => (release = resolve));
    const outcome = outcomes(client, async (i) => {
      await i.deferReply();
      await slowJob;
      try {
        await i.followUp('Your clip is ready');
        return 'follow-up';
      } catch (error) {
        if (!(error instanceof DiscordAPIError) || error.code !== 50027) throw error;
        if (!i.channel?.isSendable()) throw new Error('no channel');
        await i.channel.send(`<@${i.user.id}> Your clip is ready`);
        return 'channel message';
      }
    });
    const interaction = await discord.slashCommand({ name: 'animate' });
    await interaction.waitForAck();
    discord.advanceTime(15 * 60_000 + 1);
    release();

    expect(await outcome(interaction.id)).toBe('channel message');
    const refused = discord.requests.find((r) => r.operationId === 'execute_webhook');
    expect(refused).toMatchObject({ status: 401, response: { code: 50027, message: 'Invalid Webhook Token' } });
    expect(discord.messages({ channelId: discord.channel().id }).at(-1)?.content).toBe(`<@${discord.defaultUser.id}> Your clip is ready`);
    discord.assertNoViolations();
  });

  it('WHEN expireToken() is called THEN editReply fails the same way', async () => {
    const { discord, client } = env;
    const outcome = outcomes(client, async (i) => {
      await i.deferReply();
      discord.interaction(i.id)?.expireToken();
      await i.editReply('done');
      return 'edited';
    });
    const interaction = await discord.slashCommand({ name: 'animate' });
    expect(await outcome(interaction.id)).toBe('error 50027');
  });

  it(
    'WHEN the first follow-up to a public deferred reply asks to be ephemeral THEN, as on Discord, it becomes that public reply; once the ' +
      'reply is edited a follow-up is its own message',
    async () => {
      const { discord, client } = env;
      const outcome = outcomes(client, async (i) => {
        await i.deferReply();
        const first = await i.followUp({ content: 'secret?', flags: 64 });
        const second = await i.followUp({ content: 'really secret', flags: 64 });
        return `${first.id} ${second.id}`;
      });
      const interaction = await discord.slashCommand({ name: 'animate' });
      const [firstId, secondId] = (await outcome(interaction.id)).split(' ');
      expect(firstId).toBe(interaction.originalMessageId);
      expect(interaction.originalMessage()).toMatchObject({ content: 'secret?', flags: 0 });
      expect(secondId).not.toBe(firstId);
      expect(discord.message(secondId!)).toMatchObject({ content: 'really secret', flags: 64 });
    },
  );

  it('WHEN an interaction was created over 3 s ago THEN its callback gets 10062 Unknown interaction', async () => {
    const { discord, client } = env;
    const outcome = outcomes(client, async (i) => {
      await i.deferReply();
      return 'deferred';
    });
    const interaction = await discord.slashCommand({ name: 'animate', createdAt: discord.now() - 3500 });
    expect(await outcome(interaction.id)).toBe('error 10062');
    expect(interaction.ack).toBeUndefined();
  });

  it('WHEN the callback is sent twice THEN the second gets 40060', async () => {
    const { discord, client } = env;
    const interaction = await discord.slashCommand({ name: 'animate' });
    const callback = Routes.interactionCallback(interaction.id, interaction.token);
    await client.rest.post(callback, { body: { type: 5 }, auth: false });
    await expect(client.rest.post(callback, { body: { type: 4, data: { content: 'again' } }, auth: false })).rejects.toMatchObject({
      status: 400,
      code: 40060,
    });
    expect(interaction.ack?.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  });

  it('WHEN the bot asks with_response THEN it gets the callback response with the message', async () => {
    const { discord, client } = env;
    const outcome = outcomes(client, async (i) => {
      const response = await i.reply({ content: 'hello', withResponse: true });
      return `${response.interaction.id} ${response.resource?.message?.content}`;
    });
    const interaction = await discord.slashCommand({ name: 'animate' });
    expect(await outcome(interaction.id)).toBe(`${interaction.id} hello`);
    expect(discord.requests.at(-1)).toMatchObject({ query: { with_response: 'true' }, status: 200 });
    discord.assertNoViolations();
  });

  it('WHEN a follow-up comes before any acknowledgement THEN Discord knows no webhook yet', async () => {
    const { discord, client } = env;
    const interaction = await discord.slashCommand({ name: 'animate' });
    const send = client.rest.post(Routes.webhook(discord.applicationId, interaction.token), {
      body: { content: 'early' },
      auth: false,
      query: new URLSearchParams({ wait: 'true' }),
    });
    await expect(send).rejects.toMatchObject({ code: 10015 });
  });

  it('THEN ephemeral replies stay out of channel reads, and createdTimestamp follows createdAt', async () => {
    const { discord, client } = env;
    const createdAt = discord.now() - 1000;
    const outcome = outcomes(client, async (i) => {
      await i.reply({ content: 'just for you', flags: 64 });
      return String(i.createdTimestamp);
    });
    const interaction = await discord.slashCommand({ name: 'animate', createdAt });
    expect(await outcome(interaction.id)).toBe(String(createdAt));
    expect(interaction.originalMessage()?.content).toBe('just for you');
    const listed = await client.rest.get(Routes.channelMessages(discord.channel().id));
    expect(listed).toEqual([]);
  });
});
