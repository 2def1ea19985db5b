import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DiscordAPIError, Routes, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIMessage, type RawFile, type REST } from 'discord.js';

/**
 * The REST calls the bot makes about jobs, by token and id rather than through
 * live discord.js objects, so they work the same after a restart (the store
 * keeps the interaction token while it is usable).
 */
export interface OutgoingMessage {
  readonly content: string;
  readonly components?: readonly APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** Files to attach: by path (named as on disk), or with the name to show. */
  readonly files?: readonly (string | NamedFile)[];
  readonly ephemeral?: boolean;
  /** Users who may be pinged; everyone else is not. */
  readonly mentionUsers?: readonly string[];
  /** Discord drops a second message with the same nonce (channels and DMs). */
  readonly nonce?: string;
}

export interface NamedFile {
  readonly path: string;
  readonly name: string;
}

const EPHEMERAL = 1 << 6;

export class DiscordApi {
  constructor(
    private readonly rest: REST,
    private readonly applicationId: string,
    /** The bot's user id once logged in (the application id for most bots, not all). */
    private readonly botUserId: () => string = () => applicationId,
  ) {}

  /** Edits the interaction's original reply (the status message). */
  async editOriginal(token: string, message: Partial<OutgoingMessage>): Promise<APIMessage> {
    const { body, files } = await payload(message);
    return (await this.rest.patch(Routes.webhookMessage(this.applicationId, token, '@original'), { body, files, auth: false })) as APIMessage;
  }

  /** Deletes the interaction's original reply. */
  async deleteOriginal(token: string): Promise<void> {
    await this.rest.delete(Routes.webhookMessage(this.applicationId, token, '@original'), { auth: false });
  }

  /** A follow-up message on the interaction. */
  async followUp(token: string, message: OutgoingMessage): Promise<APIMessage> {
    const { body, files } = await payload(message);
    return (await this.rest.post(Routes.webhook(this.applicationId, token), {
      body,
      files,
      auth: false,
      query: new URLSearchParams({ wait: 'true' }),
    })) as APIMessage;
  }

  async sendToChannel(channelId: string, message: OutgoingMessage): Promise<APIMessage> {
    const { body, files } = await payload(message);
    return (await this.rest.post(Routes.channelMessages(channelId), { body, files })) as APIMessage;
  }

  /** The id of the DM channel with a user (Discord opens it, or returns the open one). */
  async directChannel(userId: string): Promise<string> {
    return ((await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string }).id;
  }

  /**
   * A message this bot posted in the channel, among its latest 100, that carries a file of this name; null if none.
   * For a delivery left in doubt: Discord enforces a message nonce for a few minutes only, so a retry after longer
   * looks first. Reading needs the Read Message History permission: without it, this throws.
   */
  async findOwnMessageWithFile(channelId: string, fileName: string): Promise<string | null> {
    const messages = (await this.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: '100' }) })) as APIMessage[];
    const bot = this.botUserId();
    return messages.find((m) => m.author.id === bot && m.attachments.some((a) => a.filename === fileName))?.id ?? null;
  }
}

async function payload(message: Partial<OutgoingMessage>): Promise<{ body: Record<string, unknown>; files: RawFile[] | undefined }> {
  const body: Record<string, unknown> = {};
  if (message.content !== undefined) body['content'] = message.content;
  if (message.components !== undefined) body['components'] = message.components;
  if (message.ephemeral) body['flags'] = EPHEMERAL;
  if (message.nonce !== undefined) {
    body['nonce'] = message.nonce;
    body['enforce_nonce'] = true;
  }
  if (message.content !== undefined || message.mentionUsers !== undefined) {
    body['allowed_mentions'] = { parse: [], users: [...(message.mentionUsers ?? [])] };
  }
  let files: RawFile[] | undefined;
  if (message.files && message.files.length > 0) {
    files = await Promise.all(
      message.files.map(async (file, i) => {
        const { path, name } = typeof file === 'string' ? { path: file, name: basename(file) } : file;
        return { key: `files[${i}]`, name, data: await readFile(path) };
      }),
    );
    body['attachments'] = files.map((f, i) => ({ id: String(i), filename: f.name }));
  }
  return { body, files };
}

export function discordStatus(e: unknown): number | null {
  return e instanceof DiscordAPIError ? e.status : null;
}

/**
 * The request can never succeed by this route: no access, unknown channel or user, DMs closed, token
 * gone, a request Discord rejects as malformed (400), or a file too large for it (413: a DM's limit can
 * be below the server's that the clip was fitted to). The next route is tried rather than this one again.
 */
export function isRouteClosed(e: unknown): boolean {
  const status = discordStatus(e);
  return status === 400 || status === 401 || status === 403 || status === 404 || status === 413;
}
