import {
  ApplicationCommandOptionType,
  type APIApplicationCommand,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandOption,
  type APIInteractionDataResolved,
  type InteractionType,
} from 'discord.js';
import { FakeAttachment } from './fake-attachment.js';
import { FakeChannel } from './fake-channel.js';
import { FakeUser } from './fake-user.js';
import { DEFAULT_MEMBER_PERMISSIONS } from './permissions.js';
import type { World } from './world.js';

/**
 * Turns a test's `{ name: value }` options into the option list and `resolved`
 * data of a slash command. The option type comes from the registered command
 * when the bot deployed one, otherwise from the value: FakeUser → user,
 * FakeChannel → channel, FakeAttachment → attachment, boolean, integer,
 * number, string. `{ type, value }` states it outright.
 */
export type OptionValue =
  string | number | boolean | FakeUser | FakeChannel | FakeAttachment | { type: ApplicationCommandOptionType; value: string | number | boolean };

export interface CommandOptionsInput {
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, OptionValue>;
}

type Resolvable = { user?: FakeUser; channel?: FakeChannel; attachment?: FakeAttachment };

export function buildCommandOptions(
  input: CommandOptionsInput,
  definition: APIApplicationCommand | undefined,
  world: World,
  /** The invoking member's permissions (null outside guilds): resolved channels and members carry them. */
  memberPermissions: bigint | null,
): { options: APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>[]; resolved: APIInteractionDataResolved } {
  let declared = definition?.options;
  if (input.subcommandGroup) declared = subOptions(declared, input.subcommandGroup);
  if (input.subcommand) declared = subOptions(declared, input.subcommand);
  const resolved: APIInteractionDataResolved = {};
  const leaves = Object.entries(input.options ?? {}).map(([name, value]) => {
    const { option, refers } = leafOption(name, value, declared?.find((o) => o.name === name)?.type, world);
    addResolved(resolved, refers, memberPermissions);
    return option;
  });
  let options: APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>[] = leaves;
  if (input.subcommand) options = [{ type: ApplicationCommandOptionType.Subcommand, name: input.subcommand, options: leaves }];
  if (input.subcommandGroup) {
    if (!input.subcommand) throw new Error('A subcommand group needs a subcommand');
    options = [{ type: ApplicationCommandOptionType.SubcommandGroup, name: input.subcommandGroup, options: options as never }];
  }
  return { options, resolved };
}

function subOptions(options: APIApplicationCommandOption[] | undefined, name: string): APIApplicationCommandOption[] | undefined {
  const sub = options?.find((o) => o.name === name);
  return sub && 'options' in sub ? (sub.options as APIApplicationCommandOption[] | undefined) : undefined;
}

function leafOption(
  name: string,
  value: OptionValue,
  declaredType: ApplicationCommandOptionType | undefined,
  world: World,
): { option: APIApplicationCommandInteractionDataBasicOption; refers: Resolvable } {
  const T = ApplicationCommandOptionType;
  const make = (type: ApplicationCommandOptionType, v: string | number | boolean) =>
    ({ type, name, value: v }) as APIApplicationCommandInteractionDataBasicOption;
  if (value instanceof FakeAttachment) return { option: make(T.Attachment, value.id), refers: { attachment: value } };
  if (value instanceof FakeUser) return { option: make(T.User, value.id), refers: { user: value } };
  if (value instanceof FakeChannel) return { option: make(T.Channel, value.id), refers: { channel: value } };
  if (typeof value === 'object') return { option: make(value.type, value.value), refers: refersById(value.type, String(value.value), world) };
  if (typeof value === 'boolean') return { option: make(T.Boolean, value), refers: {} };
  if (typeof value === 'number') {
    const type = declaredType === T.Number || declaredType === T.Integer ? declaredType : Number.isInteger(value) ? T.Integer : T.Number;
    return { option: make(type, value), refers: {} };
  }
  const type = declaredType ?? T.String;
  return { option: make(type, value), refers: refersById(type, value, world) };
}

function refersById(type: ApplicationCommandOptionType, id: string, world: World): Resolvable {
  if (type === ApplicationCommandOptionType.User || type === ApplicationCommandOptionType.Mentionable) {
    const user = world.users.get(id);
    return user ? { user } : {};
  }
  if (type === ApplicationCommandOptionType.Channel) {
    const channel = world.channel(id);
    return channel ? { channel } : {};
  }
  return {};
}

function addResolved(resolved: APIInteractionDataResolved, refers: Resolvable, memberPermissions: bigint | null): void {
  if (refers.attachment) resolved.attachments = { ...resolved.attachments, [refers.attachment.id]: refers.attachment.toAPI() };
  if (refers.user) {
    resolved.users = { ...resolved.users, [refers.user.id]: refers.user.toAPI() };
    if (memberPermissions !== null) {
      const member = {
        roles: [],
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
        permissions: DEFAULT_MEMBER_PERMISSIONS.toString(),
      };
      resolved.members = { ...resolved.members, [refers.user.id]: member };
    }
  }
  if (refers.channel) {
    const c = refers.channel;
    const permissions = (memberPermissions ?? DEFAULT_MEMBER_PERMISSIONS).toString();
    resolved.channels = { ...resolved.channels, [c.id]: { id: c.id, name: c.name ?? '', type: c.type, permissions } };
  }
}
