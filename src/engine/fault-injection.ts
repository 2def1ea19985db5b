/**
 * Chaos hooks for reliability tests, off unless MARIONETTE_FAULT is set:
 *   MARIONETTE_FAULT=worker-crash@3   the 3rd generator batch of this process crashes the worker thread
 *   MARIONETTE_FAULT=worker-oom@3     …exhausts the worker's heap (V8 out of memory)
 *   MARIONETTE_FAULT=worker-stall@1   …stalls until its job is cancelled (a pathologically slow input)
 *   MARIONETTE_FAULT=worker-crash@2,worker-oom@9   both, at their batches
 * Counted in the main thread, so a fault fires once per process even though a
 * new worker replaces the one that died. Never set in production.
 */
export type FaultKind = 'worker-crash' | 'worker-oom' | 'worker-stall';

export class FaultPlan {
  private count = 0;

  private constructor(private readonly faults: ReadonlyMap<number, FaultKind>) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan {
    const faults = new Map<number, FaultKind>();
    for (const part of (env['MARIONETTE_FAULT'] ?? '').split(',')) {
      const m = /^(worker-crash|worker-oom|worker-stall)@(\d+)$/.exec(part.trim());
      if (m) faults.set(Number(m[2]), m[1] as FaultKind);
    }
    return new FaultPlan(faults);
  }

  /** The fault for the next generator batch, if this is one. */
  nextGenerate(): FaultKind | undefined {
    if (this.faults.size === 0) return undefined;
    this.count += 1;
    return this.faults.get(this.count);
  }
}

let plan: FaultPlan | null = null;

/** The process-wide plan (engines in one process share the count), read from the environment on first use. */
export function faultPlan(): FaultPlan {
  plan ??= FaultPlan.fromEnv();
  return plan;
}
