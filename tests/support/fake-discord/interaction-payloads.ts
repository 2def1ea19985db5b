import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  type APIApplicationCommandAutocompleteInteraction,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandInteraction,
  type APIInteractionDataResolved,
  type APIMessage,
  type APIMessageComponentButtonInteraction,
  type APIModalSubmitInteraction,
  type APIChannel,
} from 'discord.js';
import type { FakeChannel } from './fake-channel.js';
import type { FakeGuild } from './fake-guild.js';
import type { FakeUser } from './fake-user.js';
import type { World } from './world.js';

/**
 * INTERACTION_CREATE payloads with every field discord.js relies on:
 * `application_id`, `channel` (not only `channel_id`), `member.user` in guilds
 * and `user` in DMs, `entitlements`, `authorizing_integration_owners`,
 * `app_permissions`, `attachment_size_limit`, and for components the full message.
 */
export interface InteractionContext {
  id: string;
  /** Fake-clock ms; the id's timestamp says the same. */
  createdAt: number;
  token: string;
  applicationId: string;
  user: FakeUser;
  channel: FakeChannel;
  guild: FakeGuild | null;
  /** The invoking member's permissions; ignored outside guilds. */
  memberPermissions: bigint;
  attachmentSizeLimit: number;
  world: World;
}

function common(ctx: InteractionContext) {
  const { guild, user, channel } = ctx;
  const where = guild
    ? {
        guild_id: guild.id,
        guild: { id: guild.id, locale: Locale.EnglishUS, features: [] },
        guild_locale: Locale.EnglishUS,
        member: {
          user: user.toAPI(),
          roles: [],
          permissions: (guild.ownerId === user.id ? ALL_PERMISSIONS : ctx.memberPermissions).toString(),
          joined_at: new Date(0).toISOString(),
          deaf: false,
          mute: false,
          flags: 0,
          nick: null,
          avatar: null,
          premium_since: null,
          pending: false,
          communication_disabled_until: null,
        },
        context: InteractionContextType.Guild,
        authorizing_integration_owners: { 0: guild.id },
      }
    : { user: user.toAPI(), context: InteractionContextType.BotDM, authorizing_integration_owners: { 0: '0' } };
  return {
    id: ctx.id,
    application_id: ctx.applicationId,
    token: ctx.token,
    version: 1 as const,
    channel: ctx.world.channelToAPI(channel) as Partial<APIChannel> & Pick<APIChannel, 'id' | 'type'>,
    channel_id: channel.id,
    app_permissions: ctx.world.botPermissionsIn(channel).toString(),
    locale: Locale.EnglishUS,
    entitlements: [],
    attachment_size_limit: ctx.attachmentSizeLimit,
    ...where,
  };
}

const ALL_PERMISSIONS = (1n << 53n) - 1n;

export function chatInputPayload(
  ctx: InteractionContext,
  command: {
    id: string;
    name: string;
    options: APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>[];
    resolved: APIInteractionDataResolved;
  },
): APIChatInputApplicationCommandInteraction {
  const hasResolved = Object.keys(command.resolved).length > 0;
  return {
    ...common(ctx),
    type: InteractionType.ApplicationCommand,
    data: {
      id: command.id,
      name: command.name,
      type: ApplicationCommandType.ChatInput,
      ...(ctx.guild ? { guild_id: ctx.guild.id } : {}),
      ...(command.options.length ? { options: command.options } : {}),
      ...(hasResolved ? { resolved: command.resolved } : {}),
    },
  } as APIChatInputApplicationCommandInteraction;
}

/** An autocomplete request: the member is typing `focused` of a command's string option. */
export function autocompletePayload(
  ctx: InteractionContext,
  command: { id: string; name: string },
  focused: { name: string; value: string },
): APIApplicationCommandAutocompleteInteraction {
  return {
    ...common(ctx),
    type: InteractionType.ApplicationCommandAutocomplete,
    data: {
      id: command.id,
      name: command.name,
      type: ApplicationCommandType.ChatInput,
      ...(ctx.guild ? { guild_id: ctx.guild.id } : {}),
      options: [{ type: ApplicationCommandOptionType.String, name: focused.name, value: focused.value, focused: true }],
    },
  } as APIApplicationCommandAutocompleteInteraction;
}

export function buttonPayload(ctx: InteractionContext, message: APIMessage, customId: string): APIMessageComponentButtonInteraction {
  return {
    ...common(ctx),
    type: InteractionType.MessageComponent,
    message,
    data: { custom_id: customId, component_type: ComponentType.Button },
  } as APIMessageComponentButtonInteraction;
}

export function modalSubmitPayload(ctx: InteractionContext, customId: string, fields: Record<string, string>, message?: APIMessage): APIModalSubmitInteraction {
  return {
    ...common(ctx),
    type: InteractionType.ModalSubmit,
    ...(message ? { message } : {}),
    data: {
      custom_id: customId,
      components: Object.entries(fields).map(([id, value]) => ({
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.TextInput, custom_id: id, value }],
      })),
    },
  } as APIModalSubmitInteraction;
}
