import type { APIInteraction, APIMessage, InteractionResponseType, InteractionType } from 'discord.js';
import type { GatewayDelivery } from './gateway.js';
import type { MessageStore } from './message-store.js';

/** How and how fast the bot acknowledged an interaction. */
export interface Acknowledgement {
  type: InteractionResponseType;
  /** Wall-clock ms from the INTERACTION_CREATE frame being sent to the callback arriving. */
  latencyMs: number;
  /** Fake-clock ms of the callback. */
  at: number;
}

/**
 * One interaction the fake dispatched, as tests hold it: its id and token,
 * the payload the bot received, and what the bot did with it. Its token works
 * for webhook calls until `createdAt + tokenLifetimeMs` on the fake clock, or
 * until `expireToken()`.
 */
export class FakeInteraction {
  ack: Acknowledgement | undefined;
  /** The modal's data when the bot answered with one (callback type 9). */
  modal: unknown;
  /** The choices when the bot answered an autocomplete request (callback type 8). */
  choices: unknown[] | undefined;
  originalMessageId: string | undefined;
  readonly followUpIds: string[] = [];
  tokenRevoked = false;
  /** The gateway sessions (shards) its INTERACTION_CREATE went to, or was queued for; empty when no live session owns its guild. */
  deliveredTo: readonly GatewayDelivery[] = [];
  /** When `deliveredTo` is empty: why (which shard owns the guild, which sessions are live). */
  undeliveredReason: string | undefined;
  readonly #acked: Promise<Acknowledgement>;
  #resolveAck!: (ack: Acknowledgement) => void;

  constructor(
    readonly payload: APIInteraction,
    /** Fake-clock ms the interaction was created (its snowflake says the same). */
    readonly createdAt: number,
    /** performance.now() when its frame went out; the ack latency is measured from here. */
    readonly dispatchedAt: number,
    /** For component and modal interactions: the message they came from. */
    readonly sourceMessageId: string | null,
    readonly attachmentSizeLimit: number,
    private readonly messages: MessageStore,
    /** For a modal submission: the interaction the bot answered with that modal. */
    readonly trigger: FakeInteraction | null = null,
  ) {
    this.#acked = new Promise((resolve) => (this.#resolveAck = resolve));
  }

  get id(): string {
    return this.payload.id;
  }

  get token(): string {
    return this.payload.token;
  }

  get type(): InteractionType {
    return this.payload.type;
  }

  get channelId(): string {
    return this.payload.channel?.id as string;
  }

  acknowledge(ack: Acknowledgement): void {
    this.ack = ack;
    this.#resolveAck(ack);
  }

  get delivered(): boolean {
    return this.deliveredTo.length > 0;
  }

  /**
   * Resolves when the bot answers the callback; rejects after `timeout` ms (default 3000, Discord's window),
   * or at once when the interaction reached no gateway session.
   */
  waitForAck({ timeout = 3000 }: { timeout?: number } = {}): Promise<Acknowledgement> {
    if (!this.delivered && !this.ack) {
      return Promise.reject(new Error(`Interaction ${this.id} was never delivered: ${this.undeliveredReason ?? 'no gateway session'}`));
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Interaction ${this.id} was not acknowledged within ${timeout} ms`)), timeout);
    });
    return Promise.race([this.#acked, expired]).finally(() => clearTimeout(timer));
  }

  /** The message `@original` names now (the reply, or for a component update the message clicked). */
  originalMessage(): APIMessage | undefined {
    return this.originalMessageId ? this.messages.get(this.originalMessageId) : undefined;
  }

  followUps(): APIMessage[] {
    return this.followUpIds.map((id) => this.messages.get(id)).filter((m): m is APIMessage => m !== undefined);
  }

  /** Makes webhook calls with this token fail with 401 50027 from now on, as after 15 minutes. */
  expireToken(): void {
    this.tokenRevoked = true;
  }
}

export class InteractionRegistry {
  readonly #byId = new Map<string, FakeInteraction>();
  readonly #byToken = new Map<string, FakeInteraction>();

  constructor(private readonly tokenLifetimeMs: number) {}

  add(interaction: FakeInteraction): FakeInteraction {
    this.#byId.set(interaction.id, interaction);
    this.#byToken.set(interaction.token, interaction);
    return interaction;
  }

  get(id: string): FakeInteraction | undefined {
    return this.#byId.get(id);
  }

  byToken(token: string): FakeInteraction | undefined {
    return this.#byToken.get(token);
  }

  all(): FakeInteraction[] {
    return [...this.#byId.values()];
  }

  tokenValid(interaction: FakeInteraction, now: number): boolean {
    return !interaction.tokenRevoked && now - interaction.createdAt < this.tokenLifetimeMs;
  }
}
