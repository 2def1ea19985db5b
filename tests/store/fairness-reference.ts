import { chooseNext, type QueueHead, type QueuedJobRef } from '../../src/store/index.js';

/**
 * The fair order by its definition: chooseNext applied step by step, O(jobs × queues) — what simulateOrder (fast, in
 * src/store/fairness.ts) must always agree with. A test's reference, not the store's code.
 */
export function simulateOrderByChoosing(
  jobs: readonly QueuedJobRef[],
  userTurns: ReadonlyMap<string, number>,
  guildTurns: ReadonlyMap<string, number>,
  stopAtSeq?: number,
): number[] {
  const queues = new Map<string, QueuedJobRef[]>();
  for (const j of [...jobs].sort((a, b) => a.seq - b.seq)) {
    const key = `${j.guildId}\u0000${j.userId}`;
    const q = queues.get(key);
    if (q === undefined) queues.set(key, [j]);
    else q.push(j);
  }
  const users = new Map(userTurns);
  const guilds = new Map(guildTurns);
  let turn = Math.max(0, ...users.values(), ...guilds.values());
  const order: number[] = [];
  while (queues.size > 0) {
    const heads: QueueHead[] = [];
    for (const q of queues.values()) {
      const j = q[0]!;
      heads.push({ ...j, userTurn: users.get(j.userId) ?? null, guildTurn: guilds.get(j.guildId) ?? null });
    }
    const next = chooseNext(heads)!;
    order.push(next.seq);
    if (next.seq === stopAtSeq) break;
    turn += 1;
    users.set(next.userId, turn);
    guilds.set(next.guildId, turn);
    const key = `${next.guildId}\u0000${next.userId}`;
    const q = queues.get(key)!;
    q.shift();
    if (q.length === 0) queues.delete(key);
  }
  return order;
}
