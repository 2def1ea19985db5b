import { InteractionResponseType, InteractionType, MessageFlags, type APIMessage } from 'discord.js';
import { discordErrors } from '../discord-error.js';
import type { FakeInteraction } from '../interaction.js';
import { json, noContent, type RestRequest, type RouteTable } from '../route-table.js';
import type { FakeState } from '../state.js';
import { createInteractionMessage, editInteractionMessage } from './interaction-messages.js';

/**
 * POST /interactions/:id/:token/callback: accepted once per interaction and,
 * unless the fake was started with `ackWindowMs: null`, only within 3 seconds
 * of its creation (after that Discord answers 404 10062 Unknown interaction).
 * Types 4 reply, 5 defer, 6 deferred update, 7 update, 9 modal; `with_response=true`
 * answers 200 with the interaction callback response, otherwise 204.
 */
export function registerInteractionRoutes(table: RouteTable, state: FakeState): void {
  table.on('POST', '/interactions/{interaction_id}/{interaction_token}/callback', (req) => {
    const interaction = state.interactions.get(req.params['interaction_id'] as string);
    if (!interaction || interaction.token !== req.params['interaction_token']) throw discordErrors.unknownInteraction();
    if (state.ackWindowMs !== null && req.at - interaction.createdAt > state.ackWindowMs) throw discordErrors.unknownInteraction();
    if (interaction.ack) throw discordErrors.alreadyAcknowledged();

    const type = req.json.type as InteractionResponseType;
    const message = respond(state, interaction, type, req);
    interaction.acknowledge({ type, latencyMs: req.receivedAt - interaction.dispatchedAt, at: req.at });
    if (req.query.get('with_response') !== 'true') return noContent();
    // The description allows a `resource` only for replies (4) and updates (7).
    const withResource = type === InteractionResponseType.ChannelMessageWithSource || type === InteractionResponseType.UpdateMessage;
    return json(200, {
      interaction: {
        id: interaction.id,
        type: interaction.type,
        channel_id: interaction.channelId,
        ...(interaction.payload.guild_id ? { guild_id: interaction.payload.guild_id } : {}),
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: ((message.flags ?? 0) & MessageFlags.Loading) !== 0,
              response_message_ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
            }
          : {}),
      },
      ...(withResource && message ? { resource: { type, message } } : {}),
    });
  });
}

/** Applies one callback; returns the message `@original` names afterwards, if any. */
function respond(state: FakeState, interaction: FakeInteraction, type: InteractionResponseType, req: RestRequest): APIMessage | undefined {
  const data = req.json.data ?? {};
  // An autocomplete request takes only choices (8), and only it may answer with choices.
  if ((interaction.type === InteractionType.ApplicationCommandAutocomplete) !== (type === InteractionResponseType.ApplicationCommandAutocompleteResult)) {
    throw wrongType(type, interaction);
  }
  const fromComponent =
    interaction.type === InteractionType.MessageComponent || (interaction.type === InteractionType.ModalSubmit && interaction.sourceMessageId);
  const reply = (body: object, extraFlags: number, allowEmpty: boolean) => {
    const message = createInteractionMessage(state, interaction, body, req.files, { extraFlags, allowEmpty });
    interaction.originalMessageId = message.id;
    return message;
  };
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource:
      return reply(data, 0, false);
    case InteractionResponseType.DeferredChannelMessageWithSource:
      return reply({ flags: data.flags }, MessageFlags.Loading, true);
    case InteractionResponseType.DeferredMessageUpdate:
    case InteractionResponseType.UpdateMessage: {
      const source = fromComponent ? state.messages.get(interaction.sourceMessageId as string) : undefined;
      if (!source) throw wrongType(type, interaction);
      interaction.originalMessageId = source.id;
      if (type === InteractionResponseType.DeferredMessageUpdate) return source;
      return editInteractionMessage(state, interaction, source, data, req.files);
    }
    case InteractionResponseType.ApplicationCommandAutocompleteResult:
      interaction.choices = (data as { choices?: unknown[] }).choices ?? [];
      return undefined;
    case InteractionResponseType.Modal:
      if (interaction.type === InteractionType.ModalSubmit) throw wrongType(type, interaction);
      interaction.modal = data;
      return undefined;
    default:
      throw wrongType(type, interaction);
  }
}

function wrongType(type: InteractionResponseType, interaction: FakeInteraction) {
  return discordErrors
    .invalidFormBody('type', 'INTERACTION_RESPONSE_TYPE_INVALID', `Callback type ${type} does not fit interaction type ${interaction.type}.`)
    .as('discord-rule');
}
