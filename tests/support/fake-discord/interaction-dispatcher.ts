import { randomBytes } from 'node:crypto';
import { GatewayDispatchEvents, type APIInteraction, type APIMessage } from 'discord.js';
import { buildCommandOptions, type CommandOptionsInput } from './command-options.js';
import type { FakeUser } from './fake-user.js';
import type { GatewayServer } from './gateway.js';
import { FakeInteraction } from './interaction.js';
import { autocompletePayload, buttonPayload, chatInputPayload, modalSubmitPayload, type InteractionContext } from './interaction-payloads.js';
import type { FakeState } from './state.js';

/**
 * Makes interactions happen: builds the INTERACTION_CREATE payload for a
 * slash command, a button click or a modal submission, registers the
 * interaction (so its callback and token work), and dispatches it to the
 * shard that owns its guild (DMs: shard 0). With no live session on that
 * shard it is not delivered: `interaction.delivered` is false and
 * `waitForAck` rejects at once, saying why.
 */
export interface InteractionTarget {
  user?: FakeUser;
  /** Default the first guild; null: the bot's DM with `user`. */
  guildId?: string | null;
  /** Default the guild's first channel. */
  channelId?: string;
  /** The member's permissions (bitfield as bigint or decimal string); default @everyone's. */
  memberPermissions?: bigint | string;
  attachmentSizeLimit?: number;
  /** Fake-clock ms the interaction was created; in the past to test expiry. */
  createdAt?: number;
}

export interface SlashCommandInput extends InteractionTarget, CommandOptionsInput {
  name: string;
}

export interface AutocompleteInput extends InteractionTarget {
  /** The command being typed. */
  name: string;
  /** The string option that has focus, and what the member typed so far. */
  focused: string;
  value: string;
}

export interface ButtonClickInput extends Omit<InteractionTarget, 'guildId' | 'channelId'> {
  /** The message with the button, or its id; the fake uses its current state. */
  message: APIMessage | string;
  customId: string;
}

export interface ModalSubmitInput extends Pick<InteractionTarget, 'memberPermissions' | 'attachmentSizeLimit' | 'createdAt'> {
  /** The modal's custom_id: the latest interaction the bot answered with that modal is the one submitted, by its user, where it was opened. */
  customId: string;
  /** Text input custom_id → value. */
  fields: Record<string, string>;
}

export class InteractionDispatcher {
  constructor(
    private readonly state: FakeState,
    private readonly gateway: GatewayServer,
    /** For interactions that name no user. */
    private readonly defaultUser: FakeUser,
  ) {}

  async slashCommand(input: SlashCommandInput): Promise<FakeInteraction> {
    const ctx = this.#context(input);
    const definition = this.state.commands.find(input.name, ctx.guild?.id ?? null);
    const { options, resolved } = buildCommandOptions(input, definition, this.state.world, ctx.guild ? ctx.memberPermissions : null);
    const payload = chatInputPayload(ctx, { id: definition?.id ?? this.state.ids.next(), name: input.name, options, resolved });
    return this.#dispatch(payload, ctx);
  }

  /** The member types in an option with autocomplete; the bot answers with callback type 8 (choices). */
  async autocomplete(input: AutocompleteInput): Promise<FakeInteraction> {
    const ctx = this.#context(input);
    const definition = this.state.commands.find(input.name, ctx.guild?.id ?? null);
    const payload = autocompletePayload(ctx, { id: definition?.id ?? this.state.ids.next(), name: input.name }, { name: input.focused, value: input.value });
    return this.#dispatch(payload, ctx);
  }

  async clickButton(input: ButtonClickInput): Promise<FakeInteraction> {
    const message = this.#currentMessage(input.message);
    assertHasButton(message, input.customId);
    const channel = this.state.world.channel(message.channel_id);
    const ctx = this.#context({ ...input, guildId: channel?.guildId ?? null, channelId: message.channel_id });
    return this.#dispatch(buttonPayload(ctx, message, input.customId), ctx, { sourceMessageId: message.id });
  }

  async submitModal(input: ModalSubmitInput): Promise<FakeInteraction> {
    const trigger = this.state.interactions
      .all()
      .reverse()
      .find((i) => (i.modal as { custom_id?: string } | undefined)?.custom_id === input.customId);
    if (!trigger) throw new Error(`The bot never answered with a modal ${input.customId}`);
    const userId = (trigger.payload.member?.user ?? trigger.payload.user)?.id as string;
    const message = trigger.sourceMessageId ? this.state.messages.get(trigger.sourceMessageId) : undefined;
    const ctx = this.#context({ ...input, user: this.state.world.users.get(userId), guildId: trigger.payload.guild_id ?? null, channelId: trigger.channelId });
    return this.#dispatch(modalSubmitPayload(ctx, input.customId, input.fields, message), ctx, { sourceMessageId: message?.id ?? null, trigger });
  }

  #context(input: InteractionTarget): InteractionContext {
    const { world, clock, ids } = this.state;
    const user = input.user ?? this.defaultUser;
    const guild = input.guildId === null ? null : input.guildId === undefined ? world.guilds[0] : world.guild(input.guildId);
    if (guild === undefined) throw new Error(`The fake has no guild ${input.guildId ?? '(none at all)'}`);
    const channel = guild ? (input.channelId ? world.channel(input.channelId) : guild.channels[0]) : world.dmChannel(user);
    if (!channel) throw new Error(`No channel ${input.channelId ?? `in guild ${guild?.id}`}`);
    const createdAt = input.createdAt ?? clock.now();
    const id = ids.next(createdAt);
    return {
      id,
      createdAt,
      token: Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url'),
      applicationId: this.state.applicationId,
      user,
      channel,
      guild,
      memberPermissions: input.memberPermissions === undefined ? (guild?.everyonePermissions ?? 0n) : BigInt(input.memberPermissions),
      attachmentSizeLimit: input.attachmentSizeLimit ?? this.state.attachmentSizeLimit,
      world,
    };
  }

  async #dispatch(
    payload: APIInteraction,
    ctx: InteractionContext,
    { sourceMessageId = null, trigger = null }: { sourceMessageId?: string | null; trigger?: FakeInteraction | null } = {},
  ): Promise<FakeInteraction> {
    const interaction = new FakeInteraction(payload, ctx.createdAt, performance.now(), sourceMessageId, ctx.attachmentSizeLimit, this.state.messages, trigger);
    this.state.interactions.add(interaction);
    const guildId = ctx.guild?.id ?? null;
    interaction.deliveredTo = await this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, payload, guildId);
    if (!interaction.delivered) interaction.undeliveredReason = this.gateway.whyUndelivered(guildId);
    return interaction;
  }

  #currentMessage(message: APIMessage | string): APIMessage {
    const id = typeof message === 'string' ? message : message.id;
    const current = this.state.messages.get(id);
    if (!current) throw new Error(`The fake has no message ${id}; only messages the bot sent can be clicked`);
    return current;
  }
}

function assertHasButton(message: APIMessage, customId: string): void {
  const ids: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node && typeof node === 'object') {
      const c = node as { custom_id?: string; disabled?: boolean; type?: number; components?: unknown; accessory?: unknown };
      if (c.type === 2 && typeof c.custom_id === 'string') {
        if (c.custom_id === customId && c.disabled) throw new Error(`Button ${customId} on message ${message.id} is disabled`);
        ids.push(c.custom_id);
      }
      visit(c.components);
      visit(c.accessory);
    }
  };
  visit(message.components);
  if (!ids.includes(customId)) throw new Error(`Message ${message.id} has no button ${customId}; it has: ${ids.join(', ') || 'none'}`);
}
