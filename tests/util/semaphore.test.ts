import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/util/semaphore.js';

describe('Semaphore', () => {
  it('GIVEN more tasks than the limit THEN at most the limit run at once, in arrival order', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      s.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise<void>((r) => gates.push(r));
        running--;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    expect(s.pending).toBe(3);
    while (gates.length > 0 || order.length < 5) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });
  it('GIVEN a task that throws THEN its slot is released', async () => {
    const s = new Semaphore(1);
    await expect(
      s.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await s.run(async () => 7)).toBe(7);
  });
});
