/** The fair queue order as a pure rule (src/store/fairness.ts); the store's own queue order is in job-queue.test.ts. */
import { describe, expect, it } from 'vitest';
import { chooseNext, simulateOrder, type QueueHead, type QueuedJobRef } from '../../src/store/index.js';
import { simulateOrderByChoosing } from './fairness-reference.js';

describe('fairness', () => {
  const head = (seq: number, userId: string, guildId: string, userTurn: number | null, guildTurn: number | null): QueueHead => ({
    seq,
    userId,
    guildId,
    userTurn,
    guildTurn,
  });

  it('GIVEN queue heads THEN the never-served user goes first, then the least recently served, then the oldest job; an empty queue gives none', () => {
    expect(chooseNext([])).toBeUndefined();
    expect(chooseNext([head(1, 'a', 'g', 5, 5), head(2, 'b', 'g', null, 5)])!.userId).toBe('b');
    expect(chooseNext([head(1, 'a', 'g', 7, 7), head(2, 'b', 'g', 3, 7)])!.userId).toBe('b');
    expect(chooseNext([head(3, 'a', 'g', null, null), head(2, 'b', 'g', null, null)])!.seq).toBe(2);
  });

  it('GIVEN a guild served more recently than another THEN the other goes first, over a less recently served user and an older job', () => {
    // Guild g1 was served last (turn 9); g2 earlier (turn 4): g2 goes first even though g1's job is older.
    const next = chooseNext([head(1, 'a', 'g1', 1, 9), head(5, 'b', 'g2', 4, 4)]);
    expect(next!.guildId).toBe('g2');
  });

  it('GIVEN A queued 10 jobs before B queued one THEN B is served second, and the order can stop at a given job', () => {
    const jobs = [...Array.from({ length: 10 }, (_, i) => ({ seq: i + 1, userId: 'A', guildId: 'g' })), { seq: 11, userId: 'B', guildId: 'g' }];
    const order = simulateOrder(jobs, new Map(), new Map());
    expect(order.slice(0, 3)).toEqual([1, 11, 2]);
    expect(order).toHaveLength(11);
    expect(simulateOrder(jobs, new Map(), new Map(), 11)).toEqual([1, 11]);
  });

  it('GIVEN three users with 3, 2 and 1 jobs THEN they are served round-robin', () => {
    const jobs = ['A', 'A', 'A', 'B', 'B', 'C'].map((u, i) => ({ seq: i + 1, userId: u, guildId: 'g' }));
    const users = simulateOrder(jobs, new Map(), new Map()).map((s) => jobs[s - 1]!.userId);
    expect(users).toEqual(['A', 'B', 'C', 'A', 'B', 'A']);
  });

  it('GIVEN 500 random queues (members in several servers, some served before) THEN the fast order is the order of choosing step by step', () => {
    // A seeded generator: the same cases every run.
    let state = 12345;
    const next = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    for (let round = 0; round < 500; round++) {
      const users = 1 + next(12);
      const guilds = 1 + next(4);
      const jobs: QueuedJobRef[] = Array.from({ length: next(60) }, (_, i) => ({
        seq: 1000 + i * (1 + next(3)),
        userId: `u${next(users)}`,
        guildId: `g${next(guilds)}`,
      }));
      // Earlier turns, unique as the store's are: some users and servers served before, others never.
      const turns = Array.from({ length: users + guilds }, (_, i) => i + 1).sort(() => next(3) - 1);
      const userTurns = new Map<string, number>();
      const guildTurns = new Map<string, number>();
      for (let u = 0; u < users; u++) if (next(2) === 0) userTurns.set(`u${u}`, turns[u]!);
      for (let g = 0; g < guilds; g++) if (next(2) === 0) guildTurns.set(`g${g}`, turns[users + g]!);
      const expected = simulateOrderByChoosing(jobs, userTurns, guildTurns);
      expect(simulateOrder(jobs, userTurns, guildTurns), `round ${round}`).toEqual(expected);
      const stopAt = jobs[next(Math.max(1, jobs.length))]?.seq;
      expect(simulateOrder(jobs, userTurns, guildTurns, stopAt)).toEqual(simulateOrderByChoosing(jobs, userTurns, guildTurns, stopAt));
    }
  });
});
