/** The retry backoff (src/store/retry-policy.ts): pure, no database. */
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/store/index.js';

describe('backoff', () => {
  it('GIVEN successive attempts THEN the backoff doubles each time, up to the cap', () => {
    const p = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 5000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n))).toEqual([1000, 2000, 4000, 5000]);
  });
});
