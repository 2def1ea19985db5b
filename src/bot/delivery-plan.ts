import type { DeliveryRoute } from '../store/index.js';
import type { Visibility } from '../store/index.js';

/**
 * Where a finished job's message goes, in order of preference. Pure.
 *   public:    the interaction (a follow-up in the channel), then a channel
 *              message mentioning only the requester, then a direct message;
 *   requester: the interaction (an ephemeral follow-up), then a direct
 *              message, then a notice in the channel *without* the clip
 *              (the clip stays private; /history shows it).
 * The interaction route is usable only while its token lives.
 */
export function deliveryRoutes(visibility: Visibility, tokenUsable: boolean): DeliveryRoute[] {
  const later: DeliveryRoute[] = visibility === 'public' ? ['channel', 'dm'] : ['dm', 'channel'];
  return tokenUsable ? ['interaction', ...later] : later;
}

/** Whether the clip itself may be attached on this route. */
export function attachesClip(visibility: Visibility, route: DeliveryRoute): boolean {
  return !(visibility === 'requester' && route === 'channel');
}

/** Give up on a job's delivery after this many attempts (each route tried counts one). */
export const MAX_DELIVERY_ATTEMPTS = 12;
