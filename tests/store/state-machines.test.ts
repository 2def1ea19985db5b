/** The job and delivery state machines (src/store/job-state.ts, delivery-state.ts): pure, no database. */
import { describe, expect, it } from 'vitest';
import {
  assertDeliveryTransition,
  assertTransition,
  canDeliveryTransition,
  canTransition,
  DELIVERY_STATUSES,
  IllegalDeliveryTransitionError,
  IllegalTransitionError,
  JOB_STATES,
} from '../../src/store/index.js';

describe('job state machine', () => {
  const legal = new Set(['queued>running', 'queued>cancelled', 'running>succeeded', 'running>failed', 'running>cancelled', 'running>queued']);
  for (const from of JOB_STATES) {
    for (const to of JOB_STATES) {
      const ok = legal.has(`${from}>${to}`);
      it(`GIVEN a ${from} job THEN moving it to ${to} is ${ok ? 'legal' : 'illegal'}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to, 'j1')).toThrow(IllegalTransitionError);
      });
    }
  }
});

describe('delivery state machine', () => {
  it('GIVEN every pair of delivery statuses THEN exactly the documented moves are legal, and asserting another throws', () => {
    const legal = new Set([
      'pending>delivering',
      'pending>failed',
      'pending>skipped',
      'delivering>delivering',
      'delivering>interaction',
      'delivering>channel',
      'delivering>dm',
      'delivering>failed',
      'delivering>skipped',
    ]);
    for (const from of DELIVERY_STATUSES) {
      for (const to of DELIVERY_STATUSES) {
        expect(canDeliveryTransition(from, to), `${from}>${to}`).toBe(legal.has(`${from}>${to}`));
      }
    }
    expect(() => assertDeliveryTransition('pending', 'channel')).toThrow(IllegalDeliveryTransitionError);
    expect(() => assertDeliveryTransition('dm', 'delivering')).toThrow(IllegalDeliveryTransitionError);
  });
});
