import type { RestReply } from './route-table.js';

/**
 * Fault injection for REST: the next `times` requests that match are answered
 * with `status` instead of being handled. A 429 carries what Discord sends:
 * `Retry-After` (seconds, which discord.js obeys), the `X-RateLimit-*` headers,
 * and the body fields the description requires (`code`, `message`,
 * `retry_after`, `global`). discord.js retries 429s after Retry-After and 5xx
 * immediately (up to its `retries` option, 3 by default).
 */
export interface RestFault {
  /** An operationId (`create_message`), a path template (`/channels/{channel_id}/messages`), or a predicate. */
  match: string | ((request: FaultTarget) => boolean);
  /** Only this method (any when absent). */
  method?: string;
  /** Default 429. */
  status?: number;
  /** How many requests to fail; default 1. */
  times?: number;
  /** Seconds, for 429s; default 1. */
  retryAfter?: number;
  /** A global rate limit (sets `X-RateLimit-Global`). */
  global?: boolean;
  /** Replaces the body. */
  body?: Record<string, unknown>;
  /**
   * The request takes effect first (a message is posted), then its answer is replaced: Discord failing after doing
   * the work, or the answer lost on its way back. Default false: the request is refused untouched.
   */
  landed?: boolean;
}

/** What a fault makes of a request: the reply to send, and whether the request is handled first anyway. */
export interface FaultOutcome {
  reply: RestReply;
  landed: boolean;
}

export interface FaultTarget {
  method: string;
  path: string;
  route: string | null;
  operationId: string | null;
}

export class FaultPlan {
  readonly #faults: Array<RestFault & { left: number }> = [];

  add(fault: RestFault): void {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** What happens to this request if a fault claims it (using up one of its `times`), else null. */
  take(target: FaultTarget, nowMs: number): FaultOutcome | null {
    const fault = this.#faults.find((f) => f.left > 0 && matches(f, target));
    if (!fault) return null;
    fault.left--;
    return { reply: faultReply(fault, target, nowMs), landed: fault.landed ?? false };
  }
}

function matches(fault: RestFault, t: FaultTarget): boolean {
  if (fault.method && fault.method.toUpperCase() !== t.method.toUpperCase()) return false;
  return typeof fault.match === 'function' ? fault.match(t) : fault.match === t.operationId || fault.match === t.route;
}

function faultReply(fault: RestFault, target: FaultTarget, nowMs: number): RestReply {
  const status = fault.status ?? 429;
  if (status !== 429) {
    return { status, json: fault.body ?? { message: `${status}: Injected by the fake`, code: 0 } };
  }
  const retryAfter = fault.retryAfter ?? 1;
  const global = fault.global ?? false;
  return {
    status,
    json: fault.body ?? { message: 'You are being rate limited.', retry_after: retryAfter, global, code: 0 },
    headers: {
      'retry-after': String(retryAfter),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': (nowMs / 1000 + retryAfter).toFixed(3),
      'x-ratelimit-reset-after': retryAfter.toFixed(3),
      'x-ratelimit-bucket': `fake-${target.route ?? target.path}`.replace(/[^\w-]/g, '_'),
      'x-ratelimit-scope': global ? 'global' : 'user',
      ...(global ? { 'x-ratelimit-global': 'true' } : {}),
    },
  };
}
