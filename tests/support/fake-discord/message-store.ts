import { MessageFlags, type APIMessage } from 'discord.js';

/**
 * Every message the bot created, ephemeral ones included (they are only
 * hidden from channel routes, as on Discord). Objects are replaced, never
 * mutated, so a test holding one keeps what it saw.
 */
export class MessageStore {
  readonly #byId = new Map<string, APIMessage>();

  put(message: APIMessage): APIMessage {
    this.#byId.set(message.id, message);
    return message;
  }

  get(id: string): APIMessage | undefined {
    return this.#byId.get(id);
  }

  delete(id: string): boolean {
    return this.#byId.delete(id);
  }

  all(): APIMessage[] {
    return [...this.#byId.values()];
  }

  /** What GET /channels/:id/messages lists: non-ephemeral messages of one channel, newest first. */
  visibleIn(channelId: string): APIMessage[] {
    return this.all()
      .filter((m) => m.channel_id === channelId && !isEphemeral(m))
      .reverse();
  }
}

export function isEphemeral(message: APIMessage): boolean {
  return ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
}
