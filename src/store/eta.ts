/**
 * Queue wait estimates. Pure.
 *
 * Work is measured in "units": seconds of driving video (what a job's cost grows
 * with). The speed, in ms per unit, is the median of recent finished jobs; before
 * there is any history a configured default is used. Jobs ahead are handed to the
 * earliest free worker in the order they will be claimed.
 */
export interface RunningWork {
  readonly startedMs: number;
  readonly units: number;
}

export interface EtaInput {
  readonly nowMs: number;
  readonly workers: number;
  readonly msPerUnit: number;
  readonly running: readonly RunningWork[];
  /** Units of each queued job that will be claimed before this one, in claim order. */
  readonly aheadUnits: readonly number[];
  readonly ownUnits: number;
}

export interface Eta {
  readonly startMs: number;
  readonly doneMs: number;
}

export interface DurationSample {
  readonly durationMs: number;
  readonly units: number;
}

/** Smallest unit count a job is charged, so tiny clips do not skew the speed. */
export const MIN_UNITS = 0.5;

export function units(drivingSeconds: number): number {
  return Math.max(MIN_UNITS, drivingSeconds);
}

export function msPerUnit(samples: readonly DurationSample[], fallbackMsPerUnit: number): number {
  const rates = samples
    .filter((s) => s.durationMs >= 0 && Number.isFinite(s.durationMs))
    .map((s) => s.durationMs / units(s.units))
    .sort((a, b) => a - b);
  if (rates.length === 0) return fallbackMsPerUnit;
  const mid = Math.floor(rates.length / 2);
  return rates.length % 2 === 1 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2;
}

export function estimateEta(input: EtaInput): Eta {
  const free = afterRunning(input);
  for (const u of input.aheadUnits) free[earliest(free)]! += units(u) * input.msPerUnit;
  const startMs = Math.min(...free);
  return { startMs, doneMs: startMs + units(input.ownUnits) * input.msPerUnit };
}

/**
 * The estimate of every queued job at once, `queueUnits` in claim order: the same as estimateEta for each (with the
 * jobs before it as `aheadUnits`), in one pass instead of one per job.
 */
export function estimateEtas(input: Omit<EtaInput, 'aheadUnits' | 'ownUnits'>, queueUnits: readonly number[]): Eta[] {
  const free = afterRunning(input);
  return queueUnits.map((u) => {
    const i = earliest(free);
    const startMs = free[i]!;
    free[i] = startMs + units(u) * input.msPerUnit;
    return { startMs, doneMs: free[i] };
  });
}

/** When each worker is free once the running jobs end (each given to the earliest free worker, oldest first). */
function afterRunning(input: Pick<EtaInput, 'nowMs' | 'workers' | 'msPerUnit' | 'running'>): number[] {
  const free: number[] = new Array<number>(Math.max(1, Math.floor(input.workers))).fill(input.nowMs);
  for (const r of [...input.running].sort((a, b) => a.startedMs - b.startedMs)) {
    const i = earliest(free);
    free[i] = Math.max(free[i]!, r.startedMs + units(r.units) * input.msPerUnit);
  }
  return free;
}

function earliest(free: readonly number[]): number {
  return free.indexOf(Math.min(...free));
}
