import { MessageFlags, MessageType, type APIAttachment, type APIEmbed, type APIMessage, type APIUser } from 'discord.js';
import type { Cdn } from './cdn.js';
import type { Clock } from './clock.js';
import { discordErrors } from './discord-error.js';
import type { Snowflakes } from './snowflake.js';
import type { RecordedFile } from './types.js';

/**
 * Turns what the bot sent (a JSON body or `payload_json`, plus file parts)
 * into the message object Discord would answer with, and applies edits.
 * Uploaded files are stored on the fake's CDN so they can be downloaded.
 *
 * Rules kept from Discord: a bot's content is at most 2000 characters (the
 * description allows 4000 on POST /channels/:id/messages, which only Nitro
 * users get); `attachments[].id` must name a `files[id]` part or, on edit, an
 * attachment the message already has; a new message needs content, embeds,
 * components, files or a poll.
 */
export interface MessageBody {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: unknown[] | null;
  flags?: number | null;
  tts?: boolean | null;
  attachments?: Array<{ id: string | number; filename?: string; description?: string; title?: string }> | null;
  poll?: unknown;
  nonce?: string | number | null;
  enforce_nonce?: boolean | null;
}

export interface NewMessage {
  channelId: string;
  guildId?: string | null;
  author: APIUser;
  body: MessageBody;
  files: RecordedFile[];
  type?: MessageType;
  /** Interaction responses and follow-ups come from the application's webhook. */
  webhookId?: string;
  applicationId?: string;
  interactionMetadata?: APIMessage['interaction_metadata'];
  /** Flags the fake sets itself, e.g. Loading for a deferred reply. */
  extraFlags?: number;
  /** A deferred reply may be empty. */
  allowEmpty?: boolean;
}

/** Message flags a sender may set; others are Discord's to set. */
const SETTABLE_FLAGS = MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;
const MAX_BOT_CONTENT = 2000;

export class MessageComposer {
  constructor(
    private readonly ids: Snowflakes,
    private readonly clock: Clock,
    private readonly cdn: Cdn,
  ) {}

  create(input: NewMessage): APIMessage {
    const { body } = input;
    checkContent(body.content);
    const attachments = this.#attachments(body.attachments, input.files, [], input.channelId);
    const empty = !body.content && !body.embeds?.length && !body.components?.length && attachments.length === 0 && !body.poll;
    if (empty && !input.allowEmpty) throw discordErrors.emptyMessage();
    return {
      id: this.ids.next(),
      type: input.type ?? MessageType.Default,
      channel_id: input.channelId,
      author: input.author,
      content: body.content ?? '',
      timestamp: new Date(this.clock.now()).toISOString(),
      edited_timestamp: null,
      tts: body.tts ?? false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments,
      embeds: (body.embeds ?? []).map(richEmbed),
      components: withComponentIds(body.components ?? []),
      pinned: false,
      flags: ((body.flags ?? 0) & SETTABLE_FLAGS) | (input.extraFlags ?? 0),
      ...(body.nonce !== undefined && body.nonce !== null ? { nonce: body.nonce } : {}),
      ...(input.webhookId ? { webhook_id: input.webhookId } : {}),
      ...(input.applicationId ? { application_id: input.applicationId } : {}),
      ...(input.interactionMetadata ? { interaction_metadata: input.interactionMetadata } : {}),
    };
  }

  /** PATCH semantics: fields present replace, fields absent stay; `attachments` lists what remains. */
  edit(message: APIMessage, body: MessageBody, files: RecordedFile[]): APIMessage {
    checkContent(body.content);
    const attachments = this.#attachments(body.attachments, files, message.attachments, message.channel_id);
    const loading = (message.flags ?? 0) & MessageFlags.Loading;
    const flags =
      body.flags === undefined || body.flags === null ? (message.flags ?? 0) : (body.flags & SETTABLE_FLAGS) | ((message.flags ?? 0) & MessageFlags.Ephemeral);
    return {
      ...message,
      ...(body.content !== undefined ? { content: body.content ?? '' } : {}),
      ...(body.embeds !== undefined ? { embeds: (body.embeds ?? []).map(richEmbed) } : {}),
      ...(body.components !== undefined ? { components: withComponentIds(body.components ?? []) } : {}),
      attachments,
      // An edit ends a deferred reply's "thinking…" state.
      flags: flags & ~loading,
      edited_timestamp: loading ? null : new Date(this.clock.now()).toISOString(),
    };
  }

  #attachments(requested: MessageBody['attachments'], files: RecordedFile[], existing: APIAttachment[], channelId: string): APIAttachment[] {
    const store = (file: RecordedFile, meta: { filename?: string; description?: string; title?: string } = {}) => {
      const attachment = this.cdn.add({ filename: meta.filename ?? file.filename, contentType: file.contentType, data: file.data, channelId }).toAPI();
      return { ...attachment, ...(meta.description ? { description: meta.description } : {}), ...(meta.title ? { title: meta.title } : {}) };
    };
    if (requested === undefined || requested === null) return [...existing, ...files.map((f) => store(f))];
    const used = new Set<RecordedFile>();
    const kept = requested.map((item, i) => {
      const file = files.find((f) => f.name === `files[${item.id}]`);
      if (file) {
        used.add(file);
        return store(file, item);
      }
      const old = existing.find((a) => a.id === String(item.id));
      if (old) return old;
      throw discordErrors
        .invalidFormBody(`attachments.${i}.id`, 'ATTACHMENT_NOT_FOUND', `No files[${item.id}] part and no existing attachment with that id.`)
        .as('missing-file-part');
    });
    return [...kept, ...files.filter((f) => !used.has(f)).map((f) => store(f))];
  }
}

function checkContent(content: string | null | undefined): void {
  if (typeof content === 'string' && content.length > MAX_BOT_CONTENT) {
    throw discordErrors.invalidFormBody('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_BOT_CONTENT} or fewer in length.`).as('discord-rule');
  }
}

/** Discord numbers every component of a message (1, 2, 3… depth first) where the sender gave no `id`. */
function withComponentIds(components: unknown[]): APIMessage['components'] {
  const copy = structuredClone(components);
  const nodes: Array<Record<string, unknown>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record['type'] === 'number') nodes.push(record);
    visit(record['components']);
    visit(record['accessory']);
  };
  visit(copy);
  const used = new Set(nodes.map((n) => n['id']).filter((id) => typeof id === 'number'));
  let next = 1;
  for (const node of nodes) {
    if (typeof node['id'] === 'number') continue;
    while (used.has(next)) next++;
    node['id'] = next++;
  }
  return copy as APIMessage['components'];
}

function richEmbed(embed: APIEmbed): APIEmbed {
  return { type: 'rich' as APIEmbed['type'], ...embed };
}
