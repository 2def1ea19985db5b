import { describe, expect, it } from 'vitest';
import { allOrAbort } from '../../src/util/all-or-abort.js';

/** A task that resolves after `ms` unless its signal aborts first (then it rejects, as fetch does). */
function waits<T>(ms: number, value: T, log: string[], name: string) {
  return (signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => (log.push(`${name} done`), resolve(value)), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        // settles a little later, like a stream being torn down
        setTimeout(() => (log.push(`${name} aborted`), reject(new Error(`${name} aborted`))), 20);
      });
    });
}

describe('allOrAbort', () => {
  it('GIVEN every task succeeds THEN their values in order', async () => {
    const log: string[] = [];
    await expect(allOrAbort<[number, string]>([waits(30, 1, log, 'a'), waits(10, 'b', log, 'b')])).resolves.toEqual([1, 'b']);
  });

  it('GIVEN one task fails THEN the others are aborted and settled before the first failure (not the abort) is thrown', async () => {
    const log: string[] = [];
    const failing = async () => {
      await new Promise((r) => setTimeout(r, 10));
      log.push('photo failed');
      throw new Error('photo: 404');
    };
    await expect(allOrAbort<[number, number]>([failing, waits(10_000, 2, log, 'video')])).rejects.toThrow('photo: 404');
    expect(log).toEqual(['photo failed', 'video aborted']);
  });
});
