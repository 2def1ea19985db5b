import {
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  Locale,
  type APIGuildMember,
  type APIRole,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type GuildMemberFlags,
  type GuildSystemChannelFlags,
  type RoleFlags,
} from 'discord.js';
import type { FakeChannel, FakeChannelInit } from './fake-channel.js';

/** A guild as GUILD_CREATE describes it: its text channels, @everyone, the bot's role and member. */
export interface FakeGuildInit {
  id?: string;
  /**
   * `[shard_id, num_shards]`: the fake picks an id whose guild falls on that
   * shard (`(id >> 22) % num_shards === shard_id`). With `id` too, the id must fit.
   */
  onShard?: [shardId: number, numShards: number];
  name?: string;
  /** Defaults to a user the fake makes up (not the bot). */
  ownerId?: string;
  /** Defaults to one channel, #general. */
  channels?: FakeChannelInit[];
  /** The bot's role permissions; defaults to DEFAULT_MEMBER_PERMISSIONS. */
  botPermissions?: bigint;
  /** @everyone's permissions; defaults to DEFAULT_MEMBER_PERMISSIONS. */
  everyonePermissions?: bigint;
}

export class FakeGuild {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly ownerId: string,
    readonly channels: FakeChannel[],
    readonly botRoleId: string,
    readonly botPermissions: bigint,
    readonly everyonePermissions: bigint,
    readonly joinedAt: string,
  ) {}

  toGuildCreate(bot: APIUser): GatewayGuildCreateDispatchData {
    const roles: APIRole[] = [
      role(this.id, '@everyone', this.everyonePermissions, false),
      { ...role(this.botRoleId, bot.username, this.botPermissions, true), position: 1, tags: { bot_id: bot.id } },
    ];
    const botMember: APIGuildMember = {
      user: bot,
      roles: [this.botRoleId],
      joined_at: this.joinedAt,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      nick: null,
    };
    return {
      id: this.id,
      name: this.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles,
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0 as GuildSystemChannelFlags,
      rules_channel_id: null,
      vanity_url_code: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: Locale.EnglishUS,
      public_updates_channel_id: null,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      joined_at: this.joinedAt,
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [botMember],
      channels: this.channels.map((c) => c.toAPI(bot.id) as GatewayGuildCreateDispatchData['channels'][number]),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}

function role(id: string, name: string, permissions: bigint, managed: boolean): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: 0,
    permissions: permissions.toString(),
    managed,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}
