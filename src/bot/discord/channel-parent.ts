import type { BaseInteraction } from 'discord.js';
import type { ParentChannel } from '../../store/index.js';

/**
 * Where an interaction's channel sits, for the server's channel rules: a thread's parent, null for a
 * channel that is not a thread, 'unknown' when discord.js has no such channel cached — in a server,
 * a private thread the bot was never added to, whose parent it cannot see (store/admission.ts).
 */
export function channelParent(channel: BaseInteraction['channel']): ParentChannel {
  if (channel === null) return 'unknown';
  return channel.isThread() ? channel.parentId : null;
}
