/**
 * Why a job failed, as data. The store keeps it with the job (the `failure` column, JSON) and never words it:
 * the bot says it to the member (src/bot/…/messages), so every sentence a member reads is written in one place.
 */
export type FailureReason =
  /** An error the member cannot act on (a crash, an unreadable model): retried, then reported as ours. */
  | { readonly code: 'internal' }
  /** The worker running it vanished (a crash, a kill, a lost host) until its lease ran out. */
  | { readonly code: 'worker-lost' }
  /** The engine refused the member's input; `message` is its one sentence (engine/errors.ts InputError). */
  | { readonly code: 'input'; readonly message: string }
  /** One attempt ran longer than allowed (MARIONETTE_JOB_TIMEOUT_MINUTES). */
  | { readonly code: 'timeout'; readonly minutes: number }
  /** The bot's disk filled while the clip was being made. */
  | { readonly code: 'disk-full' }
  /** The clip could not be made small enough for the upload limit of the channel. */
  | { readonly code: 'too-large-to-deliver'; readonly limitBytes: number }
  /** A failure recorded before schema 6, kept as it was worded then. */
  | { readonly code: 'legacy'; readonly message: string };

export type FailureCode = FailureReason['code'];

export interface JobFailure {
  readonly reason: FailureReason;
  /** It failed after its attempts ran out (each retry also failed), not at once. */
  readonly afterRetries: boolean;
}

const CODES: ReadonlySet<string> = new Set<FailureCode>(['internal', 'worker-lost', 'input', 'timeout', 'disk-full', 'too-large-to-deliver', 'legacy']);

/** The column's JSON back into a JobFailure; anything unexpected reads as an internal failure. */
export function parseFailure(json: string | null): JobFailure | null {
  if (json === null) return null;
  try {
    const v = JSON.parse(json) as { reason?: { code?: unknown }; afterRetries?: unknown };
    if (typeof v.reason?.code === 'string' && CODES.has(v.reason.code)) return { reason: v.reason as FailureReason, afterRetries: v.afterRetries === true };
  } catch {
    // fall through
  }
  return { reason: { code: 'internal' }, afterRetries: false };
}

export function serializeFailure(failure: JobFailure): string {
  return JSON.stringify(failure);
}
