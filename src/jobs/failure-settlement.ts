import { CancelledError, InputError } from '../engine/index.js';
import type { AttemptFailure } from '../store/index.js';

/**
 * How an attempt that did not succeed is settled: the one decision between the job's stop reason, the error
 * and the runner's state, as a pure function (table-tested in tests/jobs/failure-settlement.test.ts).
 *
 *   lease lost                      → nothing to record: another worker or recovery owns the job now
 *   cancelled by its requester      → cancelled
 *   the runner is stopping          → handed back to the queue uncounted (the shutdown grace ran out, or it
 *                                     failed meanwhile: most likely its ffmpeg got the same signal)
 *   ran past the time limit         → failed for good, with the limit in minutes
 *   the engine refused the input    → failed for good, with the engine's sentence
 *   the clip cannot be made to fit  → failed for good, with the upload limit
 *   anything else                   → retried while attempts remain (a full disk says so when it fails)
 */
export type StopReason = 'cancel' | 'shutdown' | 'lease-lost' | 'timeout';

export interface FailureFacts {
  /** Why the runner stopped the job, if it did. */
  readonly stopReason: StopReason | null;
  /** The job's abort signal fired. */
  readonly aborted: boolean;
  /** The runner is stopping (SIGTERM). */
  readonly stopping: boolean;
  readonly error: unknown;
  readonly jobTimeoutMs: number;
}

export type Settlement =
  | { readonly outcome: 'lease-lost' }
  | { readonly outcome: 'cancelled' }
  | { readonly outcome: 'handed-back'; readonly why: 'shutdown' | 'failed-while-stopping' }
  | { readonly outcome: 'failed'; readonly failure: AttemptFailure };

/** The clip came out larger than the channel's upload limit, even re-encoded smaller. */
export class UndeliverableError extends Error {
  override readonly name = 'UndeliverableError';
  constructor(readonly limitBytes: number) {
    super(`the clip cannot be made smaller than the upload limit of ${limitBytes} bytes`);
  }
}

export function settleFailure(f: FailureFacts): Settlement {
  const stoppedByUs = f.error instanceof CancelledError || f.aborted;
  if (f.stopReason === 'lease-lost') return { outcome: 'lease-lost' };
  if (f.stopReason === 'cancel' && stoppedByUs) return { outcome: 'cancelled' };
  if (f.stopping && f.stopReason !== 'cancel' && f.stopReason !== 'timeout') {
    return { outcome: 'handed-back', why: f.stopReason === 'shutdown' ? 'shutdown' : 'failed-while-stopping' };
  }
  if (f.stopReason === 'timeout' && stoppedByUs) {
    const minutes = Math.max(1, Math.round(f.jobTimeoutMs / 60_000));
    return { outcome: 'failed', failure: { error: `stopped after ${f.jobTimeoutMs} ms`, reason: { code: 'timeout', minutes }, retryable: false } };
  }
  if (f.error instanceof UndeliverableError) {
    return {
      outcome: 'failed',
      failure: { error: f.error.message, reason: { code: 'too-large-to-deliver', limitBytes: f.error.limitBytes }, retryable: false },
    };
  }
  if (f.error instanceof InputError) {
    return { outcome: 'failed', failure: { error: f.error.message, reason: { code: 'input', message: f.error.message }, retryable: false } };
  }
  const error = f.error instanceof Error ? f.error : new Error(String(f.error));
  return { outcome: 'failed', failure: { error: error.message, retryable: true, ...(isDiskFull(error) ? { reason: { code: 'disk-full' } } : {}) } };
}

const NO_SPACE = /ENOSPC|No space left on device/i;

/**
 * The disk filled: a Node error with code ENOSPC, or a message saying so — the error's own, or the output of
 * the ffmpeg it reports (an EngineError keeps ffmpeg's stderr in its context).
 */
export function isDiskFull(error: Error): boolean {
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC' || NO_SPACE.test(error.message)) return true;
  const context = (error as { context?: unknown }).context;
  if (typeof context !== 'object' || context === null) return false;
  return Object.values(context).some((v) => typeof v === 'string' && NO_SPACE.test(v));
}
