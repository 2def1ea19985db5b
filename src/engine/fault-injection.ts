/**
 * Chaos hooks for reliability tests, off unless MARIONETTE_FAULT is set:
 *   MARIONETTE_FAULT=worker-crash@3   the 3rd generator batch of this process crashes the worker thread
 *   MARIONETTE_FAULT=worker-oom@3     …exhausts the worker's heap (V8 out of memory)
 * Counted in the main thread, so a fault fires once per process even though a
 * new worker replaces the one that died. Never set in production.
 */
export type FaultKind = 'worker-crash' | 'worker-oom';

export class FaultPlan {
  private count = 0;

  private constructor(
    private readonly kind: FaultKind | null,
    private readonly at: number,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan {
    const m = /^(worker-crash|worker-oom)@(\d+)$/.exec(env['MARIONETTE_FAULT'] ?? '');
    return m ? new FaultPlan(m[1] as FaultKind, Number(m[2])) : new FaultPlan(null, 0);
  }

  /** The fault for the next generator batch, if this is the one. */
  nextGenerate(): FaultKind | undefined {
    if (this.kind === null) return undefined;
    this.count += 1;
    return this.count === this.at ? this.kind : undefined;
  }
}

let plan: FaultPlan | null = null;

/** The process-wide plan (engines in one process share the count), read from the environment on first use. */
export function faultPlan(): FaultPlan {
  plan ??= FaultPlan.fromEnv();
  return plan;
}
