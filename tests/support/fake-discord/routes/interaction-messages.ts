import { InteractionType, MessageType, type APIMessage } from 'discord.js';
import type { FakeInteraction } from '../interaction.js';
import type { MessageBody } from '../message-composer.js';
import type { FakeState } from '../state.js';
import type { RecordedFile } from '../types.js';
import { checkUploadSize } from '../upload-limit.js';

/**
 * A message the bot creates through an interaction (its reply or a
 * follow-up): sent by the application's webhook in the interaction's channel,
 * whatever the bot's channel permissions, with the interaction's metadata and
 * upload limit.
 */
export function createInteractionMessage(
  state: FakeState,
  interaction: FakeInteraction,
  body: MessageBody,
  files: RecordedFile[],
  options: { extraFlags?: number; allowEmpty?: boolean } = {},
): APIMessage {
  checkUploadSize(files, interaction.attachmentSizeLimit);
  const message = state.composer.create({
    channelId: interaction.channelId,
    author: state.world.botUser.toAPI(),
    body,
    files,
    type: interaction.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
    webhookId: state.applicationId,
    applicationId: state.applicationId,
    interactionMetadata: {
      ...metadataOf(interaction),
      ...(interaction.originalMessageId ? { original_response_message_id: interaction.originalMessageId } : {}),
    } as APIMessage['interaction_metadata'],
    ...options,
  });
  return state.messages.put(message);
}

/** A message's `interaction_metadata`, shaped per interaction type as Discord's description requires. */
function metadataOf(interaction: FakeInteraction): Record<string, unknown> {
  const base = {
    id: interaction.id,
    type: interaction.type,
    user: interaction.payload.member?.user ?? interaction.payload.user,
    authorizing_integration_owners: interaction.payload.authorizing_integration_owners,
  };
  switch (interaction.type) {
    case InteractionType.MessageComponent:
      return { ...base, interacted_message_id: interaction.sourceMessageId };
    case InteractionType.ModalSubmit:
      return { ...base, ...(interaction.trigger ? { triggering_interaction_metadata: metadataOf(interaction.trigger) } : {}) };
    default:
      return base;
  }
}

/** Applies an edit to a message of this interaction, within its upload limit. */
export function editInteractionMessage(
  state: FakeState,
  interaction: FakeInteraction,
  message: APIMessage,
  body: MessageBody,
  files: RecordedFile[],
): APIMessage {
  checkUploadSize(files, interaction.attachmentSizeLimit);
  return state.messages.put(state.composer.edit(message, body, files));
}
