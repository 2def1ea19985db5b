import { ChannelType, PermissionFlagsBits } from 'discord.js';
import { FakeChannel } from './fake-channel.js';
import { FakeGuild, type FakeGuildInit } from './fake-guild.js';
import { FakeUser, type FakeUserInit } from './fake-user.js';
import { DEFAULT_MEMBER_PERMISSIONS } from './permissions.js';
import { shardOf } from './sharding.js';
import type { Snowflakes } from './snowflake.js';

/**
 * Who and where: users, guilds with their text channels, and DM channels.
 * Fields a test may flip at any time are mutable (`user.dmsClosed`); what the
 * bot caches from the gateway changes through FakeDiscord methods that also
 * tell the bot (`updateChannel`).
 */

/** The users, guilds and channels the fake knows. */
export class World {
  readonly users = new Map<string, FakeUser>();
  readonly guilds: FakeGuild[] = [];
  readonly #guildsById = new Map<string, FakeGuild>();
  readonly #channels = new Map<string, FakeChannel>();
  readonly #dmChannels = new Map<string, FakeChannel>();

  constructor(
    private readonly ids: Snowflakes,
    readonly botUser: FakeUser,
  ) {
    this.users.set(botUser.id, botUser);
  }

  addUser(init: FakeUserInit = {}): FakeUser {
    const user = new FakeUser(init.id ?? this.ids.next(), init);
    this.users.set(user.id, user);
    return user;
  }

  addGuild(init: FakeGuildInit = {}): FakeGuild {
    const id = this.#guildId(init);
    const channelInits = init.channels ?? [{ name: 'general' }];
    const channels = channelInits.map(
      (c, i) => new FakeChannel(c.id ?? this.ids.next(), ChannelType.GuildText, c.name ?? `channel-${i + 1}`, id, null, c.botCanSend ?? true),
    );
    for (const channel of channels) this.#channels.set(channel.id, channel);
    const ownerId = init.ownerId ?? this.addUser({ username: 'guild-owner' }).id;
    const guild = new FakeGuild(
      id,
      init.name ?? `Test Guild ${this.guilds.length + 1}`,
      ownerId,
      channels,
      this.ids.next(),
      init.botPermissions ?? DEFAULT_MEMBER_PERMISSIONS,
      init.everyonePermissions ?? DEFAULT_MEMBER_PERMISSIONS,
      new Date().toISOString(),
    );
    this.guilds.push(guild);
    this.#guildsById.set(guild.id, guild);
    return guild;
  }

  #guildId({ id, onShard }: FakeGuildInit): string {
    if (id !== undefined && this.guild(id)) throw new Error(`The fake already has a guild ${id}`);
    if (!onShard) return id ?? this.ids.next();
    const [shardId, numShards] = onShard;
    if (id === undefined) return this.ids.onShard(shardId, numShards);
    if (shardOf(id, numShards) !== shardId) {
      throw new Error(`Guild id ${id} falls on shard ${shardOf(id, numShards)} of ${numShards}, not on shard ${shardId}; leave out id or onShard`);
    }
    return id;
  }

  guild(id: string): FakeGuild | undefined {
    return this.#guildsById.get(id);
  }

  channel(id: string): FakeChannel | undefined {
    return this.#channels.get(id);
  }

  /** The DM channel between the bot and `user`, made on first use as POST /users/@me/channels does. */
  dmChannel(user: FakeUser): FakeChannel {
    let channel = this.#dmChannels.get(user.id);
    if (!channel) {
      channel = new FakeChannel(this.ids.next(), ChannelType.DM, null, null, user.id, true);
      this.#dmChannels.set(user.id, channel);
      this.#channels.set(channel.id, channel);
    }
    return channel;
  }

  /** What the bot may do in `channel` (its role, less Send Messages where a test took it away). */
  botPermissionsIn(channel: FakeChannel): bigint {
    if (channel.guildId === null) return DEFAULT_MEMBER_PERMISSIONS;
    const base = this.guild(channel.guildId)?.botPermissions ?? 0n;
    return channel.botCanSend ? base : base & ~PermissionFlagsBits.SendMessages;
  }

  /** `toAPI` for any channel, with the DM recipient filled in. */
  channelToAPI(channel: FakeChannel) {
    const recipient = channel.recipientId ? this.users.get(channel.recipientId)?.toAPI() : undefined;
    return channel.toAPI(this.botUser.id, recipient);
  }
}
