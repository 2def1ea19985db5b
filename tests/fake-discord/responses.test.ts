import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, Events, REST, Routes, type TextChannel } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { OpenApiValidator } from '../support/fake-discord/index.js';
import { NONCE_WINDOW_MS } from '../support/fake-discord/routes/channel-routes.js';
import { useConnectedClient } from './connect-client.js';

describe("GIVEN the fake's answers", () => {
  const env = useConnectedClient();

  it("THEN every 2xx JSON answer fits the response schema in Discord's description", async () => {
    const { discord, client } = env;
    client.on(Events.InteractionCreate, async (i) => {
      if (i.isChatInputCommand()) {
        await i.deferReply({ withResponse: true });
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('b').setLabel('B').setStyle(ButtonStyle.Secondary));
        await i.editReply({ content: 'done', components: [row], embeds: [{ title: 'Clip', description: 'Made with Marionette' }] });
        const followUp = await i.followUp({ content: 'file', files: [new AttachmentBuilder(Buffer.from('clip'), { name: 'clip.mp4' })] });
        await i.webhook.fetchMessage(followUp.id);
        await i.fetchReply();
      } else if (i.isButton()) {
        await i.update({ content: 'clicked', components: [] });
      }
    });
    const command = await discord.slashCommand({ name: 'animate' });
    await discord.waitForRequest((r) => r.operationId === 'get_original_webhook_message');
    await (await discord.clickButton({ message: command.originalMessageId!, customId: 'b' })).waitForAck();

    const channel = (await client.channels.fetch(discord.channel().id)) as TextChannel;
    const sent = await channel.send({ content: 'hi', files: [new AttachmentBuilder(Buffer.from('x'), { name: 'x.txt' })] });
    await sent.edit('edited');
    await channel.messages.fetch({ limit: 10 });
    await client.users.createDM(discord.defaultUser.id);
    const rest = new REST({ api: discord.apiBase }).setToken(discord.token);
    await rest.put(Routes.applicationCommands(discord.applicationId), { body: [{ name: 'animate', description: 'Animate a photo' }] });
    await rest.get(Routes.user());
    await rest.get(Routes.currentApplication());
    await rest.get(Routes.channel(discord.channel().id));

    const validator = OpenApiValidator.forFile();
    const problems = discord.requests
      .filter((r) => r.route && r.status < 300 && r.response !== undefined)
      .flatMap((r) => validator.checkResponse(r.method, r.route as string, r.status, r.response).map((p) => `${r.method} ${r.route}: ${p}`));
    expect(problems).toEqual([]);
    expect(new Set(discord.requests.map((r) => r.operationId)).size).toBeGreaterThanOrEqual(12);
    discord.assertNoViolations();
  });
  it('WHEN a message repeats an enforced nonce THEN within a few minutes the first comes back, and after them a new one is made', async () => {
    const { discord, client } = env;
    const post = (content: string) =>
      client.rest.post(Routes.channelMessages(discord.channel().id), { body: { content, nonce: 'job-1', enforce_nonce: true } }) as Promise<{
        id: string;
        content: string;
      }>;
    const first = await post('first');
    const again = await post('again');
    expect(again).toMatchObject({ id: first.id, content: 'first' });
    discord.advanceTime(NONCE_WINDOW_MS + 1000);
    const later = await post('later');
    expect(later.id).not.toBe(first.id);
    expect(later.content).toBe('later');
  });
});
