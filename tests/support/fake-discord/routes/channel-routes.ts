import { ChannelType, type APIMessage } from 'discord.js';
import { discordErrors } from '../discord-error.js';
import { isEphemeral } from '../message-store.js';
import { json, noContent, type RestRequest, type RouteTable } from '../route-table.js';
import type { FakeState } from '../state.js';
import { checkUploadSize } from '../upload-limit.js';
import type { FakeChannel } from '../fake-channel.js';
import type { MessageBody } from '../message-composer.js';

/**
 * Channels and their messages, as the bot sees them with its token. Sending
 * fails like Discord where a test took the right away: 403 50013 in a guild
 * channel without Send Messages, 403 50007 in the DM of a user with DMs closed.
 */
/** How long Discord enforces a message nonce ("the past few minutes"; the exact span is not published). */
export const NONCE_WINDOW_MS = 5 * 60_000;

export function registerChannelRoutes(table: RouteTable, state: FakeState): void {
  const channelOf = (req: RestRequest): FakeChannel => {
    const channel = state.world.channel(req.params['channel_id'] as string);
    if (!channel) throw discordErrors.unknownChannel();
    return channel;
  };
  const messageOf = (req: RestRequest): APIMessage => {
    const channel = channelOf(req);
    const message = state.messages.get(req.params['message_id'] as string);
    if (!message || message.channel_id !== channel.id || isEphemeral(message)) throw discordErrors.unknownMessage();
    return message;
  };

  table.on('GET', '/channels/{channel_id}', (req) => json(200, state.world.channelToAPI(channelOf(req))));

  table.on('GET', '/channels/{channel_id}/messages', (req) => {
    const limit = Math.min(Number(req.query.get('limit') ?? 50), 100);
    return json(200, state.messages.visibleIn(channelOf(req).id).slice(0, limit));
  });

  table.on('POST', '/channels/{channel_id}/messages', (req) => {
    const channel = channelOf(req);
    if (channel.type === ChannelType.DM) {
      if (state.world.users.get(channel.recipientId as string)?.dmsClosed) throw discordErrors.cannotMessageUser();
    } else if (!channel.botCanSend) {
      throw discordErrors.missingPermissions();
    }
    checkUploadSize(req.files, state.attachmentSizeLimit);
    const body = req.json as MessageBody;
    if (body.enforce_nonce === true && body.nonce !== undefined && body.nonce !== null) {
      // Discord: "checked for uniqueness in the past few minutes"; a second message by the same author with the same
      // nonce in that window is not created, the first is returned.
      const since = state.clock.now() - NONCE_WINDOW_MS;
      const first = state.messages
        .all()
        .find(
          (m) =>
            m.channel_id === channel.id && m.author.id === state.world.botUser.id && String(m.nonce) === String(body.nonce) && Date.parse(m.timestamp) >= since,
        );
      if (first) return json(200, first);
    }
    const message = state.composer.create({ channelId: channel.id, author: state.world.botUser.toAPI(), body, files: req.files });
    return json(200, state.messages.put(message));
  });

  table.on('GET', '/channels/{channel_id}/messages/{message_id}', (req) => json(200, messageOf(req)));

  table.on('PATCH', '/channels/{channel_id}/messages/{message_id}', (req) => {
    const message = messageOf(req);
    if (message.author.id !== state.world.botUser.id) throw discordErrors.cannotEditOthersMessage();
    checkUploadSize(req.files, state.attachmentSizeLimit);
    return json(200, state.messages.put(state.composer.edit(message, req.json, req.files)));
  });

  table.on('DELETE', '/channels/{channel_id}/messages/{message_id}', (req) => {
    state.messages.delete(messageOf(req).id);
    return noContent();
  });
}
