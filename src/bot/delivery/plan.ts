import { extname } from 'node:path';
import type { DeliveryRoute } from '../../store/index.js';
import type { Visibility } from '../../store/index.js';

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

/** The name a delivered clip carries ("marionette-<job id>.mp4"): a download says what it is, and a retry can find it. */
export function clipFileName(jobId: string, path: string): string {
  return `marionette-${jobId}${extname(path) || '.mp4'}`;
}

/** Whether the clip itself may be attached on this route. */
export function attachesClip(visibility: Visibility, route: DeliveryRoute): boolean {
  return !(visibility === 'requester' && route === 'channel');
}

/**
 * Where an attempt whose outcome is unknown (`doubtVia`, its route; null when none) may have left the clip, so a
 * retry can look there before posting: a public result's follow-up or channel message is in the job's channel, a
 * direct message in the DM. A private result leaves none in the channel (an ephemeral follow-up cannot be looked
 * up, a channel notice has no clip): null, as when nothing is in doubt.
 */
export function placeOfEarlierClip(visibility: Visibility, doubtVia: DeliveryRoute | null): 'channel' | 'dm' | null {
  if (doubtVia === 'interaction' || doubtVia === 'channel') return visibility === 'public' ? 'channel' : null;
  return doubtVia;
}

/** Give up on a job's delivery after this many attempts (each route tried counts one). */
export const MAX_DELIVERY_ATTEMPTS = 12;

/**
 * How long after an attempt that failed transiently (Discord 5xx, the network) the next may
 * begin: the next delivery pass for the first two, then 15 s doubling up to an hour, so the
 * 12 attempts span about two hours of outage rather than a few minutes.
 */
export function deliveryRetryDelayMs(attempts: number): number {
  return attempts < 3 ? 0 : Math.min(15_000 * 2 ** (attempts - 3), 3_600_000);
}
