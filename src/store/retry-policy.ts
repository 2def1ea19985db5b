/**
 * When a failed or abandoned attempt may run again. Pure.
 * Exponential backoff: base · 2^(attempt−1), capped.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export function backoffMs(policy: RetryPolicy, attemptsMade: number): number {
  const exp = Math.max(0, attemptsMade - 1);
  return Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(exp, 30));
}

/** Whether another attempt is allowed after `attemptsMade` attempts. */
export function mayRetry(attemptsMade: number, maxAttempts: number): boolean {
  return attemptsMade < maxAttempts;
}
