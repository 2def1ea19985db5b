import { ChannelType, OverwriteType, PermissionFlagsBits, type APIUser } from 'discord.js';

/**
 * A guild text channel or a DM channel. `botCanSend` is changed through
 * `FakeDiscord.updateChannel`, which also tells the bot (CHANNEL_UPDATE).
 */
export interface FakeChannelInit {
  id?: string;
  name?: string;
  /** False: the bot lacks Send Messages here, so channel messages get 403 50013. */
  botCanSend?: boolean;
}

export class FakeChannel {
  constructor(
    readonly id: string,
    readonly type: ChannelType.GuildText | ChannelType.DM,
    readonly name: string | null,
    readonly guildId: string | null,
    /** For DM channels: the other user. */
    readonly recipientId: string | null,
    public botCanSend: boolean,
  ) {}

  /** The channel as GUILD_CREATE, CHANNEL_UPDATE and GET /channels/:id show it. */
  toAPI(botUserId: string, recipient?: APIUser) {
    if (this.type === ChannelType.DM) {
      return { id: this.id, type: ChannelType.DM as const, last_message_id: null, flags: 0, recipients: recipient ? [recipient] : [] };
    }
    const overwrites = this.botCanSend ? [] : [{ id: botUserId, type: OverwriteType.Member, allow: '0', deny: PermissionFlagsBits.SendMessages.toString() }];
    return {
      id: this.id,
      type: ChannelType.GuildText as const,
      guild_id: this.guildId as string,
      name: this.name as string,
      position: 0,
      permission_overwrites: overwrites,
      parent_id: null,
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
  }
}
