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
  const { nowMs, msPerUnit: rate } = input;
  const free: number[] = new Array<number>(Math.max(1, Math.floor(input.workers))).fill(nowMs);
  const earliest = (): number => free.indexOf(Math.min(...free));
  for (const r of [...input.running].sort((a, b) => a.startedMs - b.startedMs)) {
    const i = earliest();
    const expectedEnd = r.startedMs + units(r.units) * rate;
    free[i] = Math.max(free[i]!, expectedEnd);
  }
  for (const u of input.aheadUnits) {
    const i = earliest();
    free[i] = free[i]! + units(u) * rate;
  }
  const startMs = Math.min(...free);
  return { startMs, doneMs: startMs + units(input.ownUnits) * rate };
}
