/**
 * Delivery of a finished job's result (or failure notice) as a pure state
 * machine, so each job is posted exactly once across restarts:
 *
 *   pending ──begin(route)──▶ delivering ──delivered──▶ interaction | channel | dm
 *      │                       │  ▲  └──give up──────▶ failed
 *      │                       └──┘ begin again (next route, or after a crash)
 *      └──skip / give up──────▶ skipped | failed
 *
 * A job found in `delivering` after a restart is "in doubt": the previous
 * process may or may not have posted. The front end must check (Discord message
 * nonce = job id, or look for the message) before posting again.
 */
export const DELIVERY_STATUSES = ['pending', 'delivering', 'interaction', 'channel', 'dm', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_ROUTES = ['interaction', 'channel', 'dm'] as const;
export type DeliveryRoute = (typeof DELIVERY_ROUTES)[number];

const ALLOWED: Readonly<Record<DeliveryStatus, readonly DeliveryStatus[]>> = {
  pending: ['delivering', 'failed', 'skipped'],
  delivering: ['delivering', 'interaction', 'channel', 'dm', 'failed', 'skipped'],
  interaction: [],
  channel: [],
  dm: [],
  failed: [],
  skipped: [],
};

export class IllegalDeliveryTransitionError extends Error {
  override readonly name = 'IllegalDeliveryTransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
    readonly jobId?: string,
  ) {
    super(`Illegal delivery transition ${from} → ${to}${jobId === undefined ? '' : ` for job ${jobId}`}.`);
  }
}

export function isDeliveryRoute(value: string): value is DeliveryRoute {
  return (DELIVERY_ROUTES as readonly string[]).includes(value);
}

export function isDeliveryFinal(status: DeliveryStatus): boolean {
  return ALLOWED[status].length === 0;
}

export function canDeliveryTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertDeliveryTransition(from: DeliveryStatus, to: DeliveryStatus, jobId?: string): void {
  if (!canDeliveryTransition(from, to)) throw new IllegalDeliveryTransitionError(from, to, jobId);
}
