/**
 * The job lifecycle as a pure state machine. Every write to jobs.state goes
 * through assertTransition, inside the transaction that changes the row.
 *
 *   queued ──claim──▶ running ──complete──▶ succeeded
 *     │  ▲              │ │ └──fail (final)──▶ failed
 *     │  └──retry───────┘ └──cancel──────────▶ cancelled
 *     └──cancel (requester) ──────────────────▶ cancelled
 *
 * running → queued is a retry: the lease expired (worker died) or the attempt
 * failed with a retryable error, and attempts remain. Terminal states are final.
 */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

const ALLOWED: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled', 'queued'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
    readonly jobId?: string,
  ) {
    super(`Illegal job transition ${from} → ${to}${jobId === undefined ? '' : ` for job ${jobId}`}.`);
  }
}

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: JobState, to: JobState): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(from: JobState, to: JobState, jobId?: string): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to, jobId);
}
