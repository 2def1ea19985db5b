import { ApplicationCommandType, type APIApplicationCommand, type APIApplicationCommandOption } from 'discord.js';
import type { Snowflakes } from './snowflake.js';

/** A command as the bot sends it in a bulk overwrite (PUT …/commands). */
export interface CommandDefinition {
  name: string;
  description?: string;
  type?: ApplicationCommandType;
  options?: APIApplicationCommandOption[];
  default_member_permissions?: string | number | null;
  dm_permission?: boolean | null;
  contexts?: number[] | null;
  integration_types?: number[] | null;
  nsfw?: boolean;
}

/**
 * Global and per-guild application commands, replaced wholesale by bulk
 * overwrite as deploy scripts do. A command keeps its id across overwrites
 * while its name and type stay, like on Discord.
 */
export class CommandRegistry {
  readonly #scopes = new Map<string, APIApplicationCommand[]>();

  constructor(
    private readonly ids: Snowflakes,
    private readonly applicationId: string,
  ) {}

  overwrite(guildId: string | null, definitions: CommandDefinition[]): APIApplicationCommand[] {
    const previous = this.list(guildId);
    const commands = definitions.map((d): APIApplicationCommand => {
      const type = d.type ?? ApplicationCommandType.ChatInput;
      const same = previous.find((c) => c.name === d.name && c.type === type);
      return {
        id: same?.id ?? this.ids.next(),
        application_id: this.applicationId,
        version: this.ids.next(),
        type,
        name: d.name,
        description: d.description ?? '',
        // Requests may give an integer; Discord answers with a string.
        default_member_permissions:
          d.default_member_permissions === null || d.default_member_permissions === undefined ? null : String(d.default_member_permissions),
        nsfw: d.nsfw ?? false,
        ...(d.options ? { options: d.options } : {}),
        ...(d.contexts ? { contexts: d.contexts } : {}),
        integration_types: d.integration_types ?? [0],
        ...(guildId ? { guild_id: guildId } : { dm_permission: d.dm_permission ?? true }),
      };
    });
    this.#scopes.set(guildId ?? 'global', commands);
    return commands;
  }

  list(guildId: string | null): APIApplicationCommand[] {
    return this.#scopes.get(guildId ?? 'global') ?? [];
  }

  /** The command a user in `guildId` would run under `name`: guild commands first, then global. */
  find(name: string, guildId: string | null): APIApplicationCommand | undefined {
    const inGuild = guildId ? this.list(guildId).find((c) => c.name === name) : undefined;
    return inGuild ?? this.list(null).find((c) => c.name === name);
  }
}
