import { MessageFlags, type APIMessage } from 'discord.js';
import { discordErrors } from '../discord-error.js';
import type { FakeInteraction } from '../interaction.js';
import { json, noContent, type RestRequest, type RouteTable } from '../route-table.js';
import type { FakeState } from '../state.js';
import { createInteractionMessage, editInteractionMessage } from './interaction-messages.js';

/**
 * The interaction webhook (`/webhooks/:application/:token`): follow-ups and
 * the `@original` response. A token is good for 15 minutes after the
 * interaction was created on the fake clock; afterwards, or after
 * `expireToken()`, every call gets 401 50027 Invalid Webhook Token.
 * Follow-ups need the interaction to be acknowledged first; the first one to a
 * deferred reply still loading edits that reply instead, flags ignored.
 */
export function registerWebhookRoutes(table: RouteTable, state: FakeState): void {
  const interactionOf = (req: RestRequest): FakeInteraction => {
    if (req.params['webhook_id'] !== state.applicationId) throw discordErrors.unknownWebhook();
    const interaction = state.interactions.byToken(req.params['webhook_token'] as string);
    if (!interaction || !state.interactions.tokenValid(interaction, state.clock.now())) throw discordErrors.invalidWebhookToken();
    return interaction;
  };
  const messageOf = (req: RestRequest): { interaction: FakeInteraction; message: APIMessage } => {
    const interaction = interactionOf(req);
    const requested = req.params['message_id'] ?? interaction.originalMessageId;
    const own = requested !== undefined && (requested === interaction.originalMessageId || interaction.followUpIds.includes(requested));
    const message = own ? state.messages.get(requested) : undefined;
    if (!message) throw discordErrors.unknownMessage();
    return { interaction, message };
  };

  table.on('POST', '/webhooks/{webhook_id}/{webhook_token}', (req) => {
    const interaction = interactionOf(req);
    if (!interaction.ack) throw discordErrors.unknownWebhook();
    const original = interaction.originalMessageId === undefined ? undefined : state.messages.get(interaction.originalMessageId);
    if (original && ((original.flags ?? 0) & MessageFlags.Loading) !== 0) {
      // As on Discord: the first follow-up to a deferred reply still "thinking…" becomes that reply — it edits it,
      // and its flags are ignored (the defer chose the visibility: an "ephemeral" follow-up there is public).
      const { flags: _ignored, ...body } = req.json;
      const message = editInteractionMessage(state, interaction, original, body, req.files);
      return req.query.get('wait') === 'true' ? json(200, message) : noContent();
    }
    const message = createInteractionMessage(state, interaction, req.json, req.files);
    interaction.followUpIds.push(message.id);
    return req.query.get('wait') === 'true' ? json(200, message) : noContent();
  });

  for (const template of ['/webhooks/{webhook_id}/{webhook_token}/messages/@original', '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}']) {
    table.on('GET', template, (req) => json(200, messageOf(req).message));
    table.on('PATCH', template, (req) => {
      const { interaction, message } = messageOf(req);
      return json(200, editInteractionMessage(state, interaction, message, req.json, req.files));
    });
    table.on('DELETE', template, (req) => {
      const { interaction, message } = messageOf(req);
      state.messages.delete(message.id);
      if (interaction.originalMessageId === message.id) interaction.originalMessageId = undefined;
      return noContent();
    });
  }
}
