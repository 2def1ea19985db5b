import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord.js';
import { customIds } from './custom-ids.js';

/** The message components the bot shows. */
export type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

export function cancelRow(jobId: string): Row {
  return {
    type: ComponentType.ActionRow,
    components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Cancel', custom_id: customIds.cancelJob(jobId) }],
  };
}

export function consentRow(requestId: string, userId: string): Row {
  return {
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Success, label: 'Accept', custom_id: customIds.consent('accept', requestId, userId) },
      { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Decline', custom_id: customIds.consent('decline', requestId, userId) },
    ],
  };
}
