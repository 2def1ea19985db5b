import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Events,
  InteractionResponseType,
  ModalBuilder,
  PermissionFlagsBits,
  REST,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { useConnectedClient } from './connect-client.js';

const settings = new SlashCommandBuilder()
  .setName('marionette')
  .setDescription('Settings')
  .addSubcommandGroup((g) =>
    g
      .setName('limits')
      .setDescription('Limits')
      .addSubcommand((s) =>
        s
          .setName('set')
          .setDescription('Set a limit')
          .addIntegerOption((o) => o.setName('per_hour').setDescription('Per hour').setRequired(true))
          .addNumberOption((o) => o.setName('scale').setDescription('Scale'))
          .addUserOption((o) => o.setName('user').setDescription('Who'))
          .addChannelOption((o) => o.setName('channel').setDescription('Where'))
          .addStringOption((o) => o.setName('note').setDescription('Why'))
          .addBooleanOption((o) => o.setName('silent').setDescription('Quiet')),
      ),
  );

describe('GIVEN deployed commands, options, permissions and components', () => {
  const env = useConnectedClient({ guilds: [{ channels: [{ name: 'general' }, { name: 'clips' }] }] });

  it('WHEN commands are deployed by bulk overwrite THEN the fake keeps them and their ids', async () => {
    const { discord } = env;
    const rest = new REST({ api: discord.apiBase }).setToken(discord.token);
    const [first] = (await rest.put(Routes.applicationGuildCommands(discord.applicationId, discord.guild().id), { body: [settings.toJSON()] })) as Array<{
      id: string;
    }>;
    const [again] = (await rest.put(Routes.applicationGuildCommands(discord.applicationId, discord.guild().id), { body: [settings.toJSON()] })) as Array<{
      id: string;
    }>;
    expect(again?.id).toBe(first?.id);
    expect(discord.commands(discord.guild().id).map((c) => c.name)).toEqual(['marionette']);
    await rest.put(Routes.applicationCommands(discord.applicationId), { body: [] });
    expect(discord.commands()).toEqual([]);
    discord.assertNoViolations();
  });

  it('WHEN a subcommand with typed options runs THEN discord.js reads every option and the member permissions', async () => {
    const { discord, client } = env;
    const rest = new REST({ api: discord.apiBase }).setToken(discord.token);
    await rest.put(Routes.applicationGuildCommands(discord.applicationId, discord.guild().id), { body: [settings.toJSON()] });
    const seen = new Promise<Record<string, unknown>>((resolve) =>
      client.once(Events.InteractionCreate, async (i) => {
        if (!i.isChatInputCommand()) return;
        resolve({
          group: i.options.getSubcommandGroup(),
          sub: i.options.getSubcommand(),
          perHour: i.options.getInteger('per_hour', true),
          scale: i.options.getNumber('scale'),
          user: i.options.getUser('user')?.username,
          member: i.options.getMember('user') !== null,
          channel: i.options.getChannel('channel')?.id,
          note: i.options.getString('note'),
          silent: i.options.getBoolean('silent'),
          manageGuild: i.memberPermissions?.has(PermissionFlagsBits.ManageGuild),
          inGuild: i.inGuild(),
        });
        await i.reply({ content: 'saved', flags: 64 });
      }),
    );
    const target = discord.addUser({ username: 'someone' });
    const clips = discord.guild().channels[1];
    const interaction = await discord.slashCommand({
      name: 'marionette',
      subcommandGroup: 'limits',
      subcommand: 'set',
      options: { per_hour: 5, scale: 2, user: target, channel: clips!, note: 'busy', silent: true },
      memberPermissions: (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages).toString(),
    });
    expect(await seen).toEqual({
      group: 'limits',
      sub: 'set',
      perHour: 5,
      scale: 2,
      user: 'someone',
      member: true,
      channel: clips?.id,
      note: 'busy',
      silent: true,
      manageGuild: true,
      inGuild: true,
    });
    await interaction.waitForAck();
    discord.assertNoViolations();
  });

  it('WHEN a slash command comes from a DM THEN the bot sees the user and the DM channel id, but no cached channel', async () => {
    const { discord, client } = env;
    const seen = new Promise<string>((resolve) =>
      client.once(Events.InteractionCreate, async (i) => {
        if (!i.isChatInputCommand()) return;
        // discord.js does not cache the interaction's channel: `i.channel` stays null in an uncached DM.
        resolve(`${i.inGuild()} ${i.user.id} ${i.channelId} ${i.channel}`);
        const channel = await client.channels.fetch(i.channelId);
        resolve(String(channel?.type));
        await i.deferReply();
      }),
    );
    const user = discord.addUser({ username: 'dm-user' });
    const interaction = await discord.slashCommand({ name: 'animate', guildId: null, user });
    expect(await seen).toBe(`false ${user.id} ${discord.dmChannel(user).id} null`);
    await interaction.waitForAck();
    expect(discord.requests.find((r) => r.operationId === 'get_channel')?.response).toMatchObject({ id: discord.dmChannel(user).id, type: ChannelType.DM });
  });

  it('WHEN a user clicks a button THEN the bot updates that message in place', async () => {
    const { discord, client } = env;
    client.on(Events.InteractionCreate, async (i) => {
      if (i.isChatInputCommand()) {
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('history:page:2').setLabel('Next').setStyle(ButtonStyle.Primary),
        );
        await i.reply({ content: 'Page 1', components: [row] });
      } else if (i.isButton()) {
        await i.update({ content: `Page ${i.customId.split(':')[2]}`, components: [] });
      }
    });
    const command = await discord.slashCommand({ name: 'history' });
    await command.waitForAck();
    const message = command.originalMessage();
    if (!message) throw new Error('no reply');
    await expect(discord.clickButton({ message, customId: 'nope' })).rejects.toThrow(/has no button nope; it has: history:page:2/);

    const click = await discord.clickButton({ message, customId: 'history:page:2' });
    expect((await click.waitForAck()).type).toBe(InteractionResponseType.UpdateMessage);
    expect(discord.message(message.id)).toMatchObject({ content: 'Page 2', components: [] });
    expect(click.originalMessage()?.id).toBe(message.id);
    discord.assertNoViolations();
  });

  it('WHEN a button is deferred THEN editReply edits the clicked message', async () => {
    const { discord, client } = env;
    client.on(Events.InteractionCreate, async (i) => {
      if (i.isChatInputCommand()) {
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('job:delete:7').setLabel('Delete').setStyle(ButtonStyle.Danger),
        );
        await i.reply({ content: 'Job 7', components: [row] });
      } else if (i.isButton()) {
        await i.deferUpdate();
        await i.editReply({ content: 'Job 7 deleted', components: [] });
      }
    });
    const command = await discord.slashCommand({ name: 'history' });
    await command.waitForAck();
    const click = await discord.clickButton({ message: command.originalMessageId!, customId: 'job:delete:7' });
    await discord.waitForRequest((r) => r.operationId === 'update_original_webhook_message' && r.path.includes(click.token));
    expect(discord.message(command.originalMessageId!)?.content).toBe('Job 7 deleted');
    discord.assertNoViolations();
  });

  it('WHEN the bot opens a modal THEN its submission reaches the bot', async () => {
    const { discord, client } = env;
    client.on(Events.InteractionCreate, async (i) => {
      if (i.isChatInputCommand()) {
        const input = new TextInputBuilder().setCustomId('reason').setLabel('Reason').setStyle(TextInputStyle.Short);
        await i.showModal(
          new ModalBuilder().setCustomId('report').setTitle('Report').addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input)),
        );
      } else if (i.isModalSubmit()) {
        await i.reply({ content: `Reported: ${i.fields.getTextInputValue('reason')}`, flags: 64 });
      }
    });
    const command = await discord.slashCommand({ name: 'report' });
    expect((await command.waitForAck()).type).toBe(InteractionResponseType.Modal);
    expect(command.modal).toMatchObject({ custom_id: 'report', title: 'Report' });
    const submit = await discord.submitModal({ customId: 'report', fields: { reason: 'spam' } });
    await submit.waitForAck();
    expect(submit.originalMessage()?.content).toBe('Reported: spam');
    discord.assertNoViolations();
  });
});
