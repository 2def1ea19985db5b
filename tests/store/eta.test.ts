/** The queue time estimate (src/store/eta.ts): pure, no database. */
import { describe, expect, it } from 'vitest';
import { estimateEta, estimateEtas, msPerUnit } from '../../src/store/index.js';

describe('eta', () => {
  it('GIVEN finished jobs THEN the speed is their median per unit; GIVEN none THEN the fallback', () => {
    expect(msPerUnit([], 1234)).toBe(1234);
    expect(
      msPerUnit(
        [
          { durationMs: 10_000, units: 5 },
          { durationMs: 30_000, units: 5 },
          { durationMs: 8_000, units: 4 },
        ],
        1,
      ),
    ).toBe(2000);
  });

  it('GIVEN one worker, a job running and work ahead THEN a new job starts after both and ends its own length later', () => {
    const eta = estimateEta({ nowMs: 1000, workers: 1, msPerUnit: 100, running: [{ startedMs: 500, units: 10 }], aheadUnits: [5, 5], ownUnits: 2 });
    // running ends at 500 + 1000 = 1500; then 500 + 500 → start 2500, done 2700
    expect(eta).toEqual({ startMs: 2500, doneMs: 2700 });
  });

  it('GIVEN two workers and three jobs ahead THEN the work ahead is spread over both', () => {
    const eta = estimateEta({ nowMs: 0, workers: 2, msPerUnit: 100, running: [], aheadUnits: [10, 10, 10], ownUnits: 1 });
    expect(eta.startMs).toBe(1000);
  });

  it('GIVEN a queue THEN the estimates of all its jobs at once equal each one asked alone, for one to three workers', () => {
    const queue = [3, 0.2, 7, 1, 1, 12, 4, 0.5, 9];
    const running = [
      { startedMs: 900, units: 4 },
      { startedMs: 200, units: 10 },
    ];
    for (const workers of [1, 2, 3]) {
      const base = { nowMs: 1000, workers, msPerUnit: 250, running };
      const alone = queue.map((own, i) => estimateEta({ ...base, aheadUnits: queue.slice(0, i), ownUnits: own }));
      expect(estimateEtas(base, queue)).toEqual(alone);
    }
  });
});
