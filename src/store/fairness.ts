/**
 * Fair choice of the next job. Pure.
 *
 * Round-robin by "least recently served", first across guilds, then across users
 * within the chosen guild; a user's own jobs run oldest first. Every claim takes
 * the next value of a global counter (its "turn") and that turn becomes the
 * latest turn of its user and its guild. Someone never served (turn null) goes
 * before anyone served; ties go to the oldest waiting job (FIFO).
 *
 * So if user A queues 10 jobs and then user B queues 1, the order is A, B, A, A…
 * One user, or one busy guild, cannot starve the others.
 */
import { MinHeap } from '../util/min-heap.js';

export interface QueueHead {
  /** jobs.seq of the oldest runnable job of this (guild, user). */
  readonly seq: number;
  readonly userId: string;
  readonly guildId: string;
  /** Latest turn of this user (any guild), null if never served. */
  readonly userTurn: number | null;
  /** Latest turn of this guild, null if never served. */
  readonly guildTurn: number | null;
}

const NEVER = -1;

export function chooseNext(heads: readonly QueueHead[]): QueueHead | undefined {
  let bestGuild: { id: string; turn: number; minSeq: number } | undefined;
  const guilds = new Map<string, { turn: number; minSeq: number }>();
  for (const h of heads) {
    const g = guilds.get(h.guildId);
    const turn = h.guildTurn ?? NEVER;
    if (g === undefined) guilds.set(h.guildId, { turn, minSeq: h.seq });
    else g.minSeq = Math.min(g.minSeq, h.seq);
  }
  for (const [id, g] of guilds) {
    if (bestGuild === undefined || g.turn < bestGuild.turn || (g.turn === bestGuild.turn && g.minSeq < bestGuild.minSeq)) {
      bestGuild = { id, ...g };
    }
  }
  if (bestGuild === undefined) return undefined;
  let best: QueueHead | undefined;
  for (const h of heads) {
    if (h.guildId !== bestGuild.id) continue;
    const t = h.userTurn ?? NEVER;
    const bt = best === undefined ? 0 : (best.userTurn ?? NEVER);
    if (best === undefined || t < bt || (t === bt && h.seq < best.seq)) best = h;
  }
  return best;
}

export interface QueuedJobRef {
  readonly seq: number;
  readonly userId: string;
  readonly guildId: string;
}

/**
 * The order in which `jobs` would be claimed, by repeatedly applying chooseNext (each choice takes the next turn).
 * Used for queue positions. `stopAtSeq` ends the simulation once that job is chosen.
 *
 * The same answer as calling chooseNext on every step (tests/store/fairness-reference.ts, which the tests hold it to),
 * in O(jobs × log) instead of O(jobs × queues): served turns are unique, so a guild or user just served goes to the
 * back of its heap, and only the never-served tie on their oldest job. A user's turn also changes when served in
 * another guild: their entries elsewhere are then stale, and are re-filed when they reach the top.
 */
export function simulateOrder(
  jobs: readonly QueuedJobRef[],
  userTurns: ReadonlyMap<string, number>,
  guildTurns: ReadonlyMap<string, number>,
  stopAtSeq?: number,
): number[] {
  const users = new Map(userTurns);
  const guilds = new Map(guildTurns);
  // guild → user → that user's jobs in the guild, oldest first.
  const queues = new Map<string, Map<string, QueuedJobRef[]>>();
  for (const j of [...jobs].sort((a, b) => a.seq - b.seq)) {
    const byUser = queues.get(j.guildId) ?? new Map<string, QueuedJobRef[]>();
    queues.set(j.guildId, byUser);
    const q = byUser.get(j.userId);
    if (q === undefined) byUser.set(j.userId, [j]);
    else q.push(j);
  }
  const { guildHeap, userHeaps, left } = fileQueues(queues, users, guilds);
  let turn = Math.max(0, ...users.values(), ...guilds.values());
  const order: number[] = [];
  for (let g = guildHeap.pop(); g !== undefined; g = guildHeap.pop()) {
    const byUser = queues.get(g.id)!;
    const heap = userHeaps.get(g.id)!;
    let job: QueuedJobRef | undefined;
    while (job === undefined) {
      const u = heap.pop()!;
      const q = byUser.get(u.id)!;
      const current = users.get(u.id) ?? NEVER;
      if (u.turn !== current)
        heap.push({ id: u.id, turn: current, seq: q[0]!.seq }); // served elsewhere meanwhile
      else job = q.shift();
    }
    order.push(job.seq);
    if (job.seq === stopAtSeq) break;
    turn += 1;
    users.set(job.userId, turn);
    guilds.set(g.id, turn);
    const q = byUser.get(job.userId)!;
    if (q.length > 0) heap.push({ id: job.userId, turn, seq: q[0]!.seq });
    else byUser.delete(job.userId);
    const remaining = left.get(g.id)! - 1;
    left.set(g.id, remaining);
    if (remaining > 0) guildHeap.push({ id: g.id, turn, seq: 0 });
  }
  return order;
}

const byTurnThenSeq = (a: Filed, b: Filed) => a.turn - b.turn || a.seq - b.seq;

/** The heaps simulateOrder starts from: the guilds, each guild's users, and how many jobs each guild has. */
function fileQueues(
  queues: ReadonlyMap<string, ReadonlyMap<string, readonly QueuedJobRef[]>>,
  users: ReadonlyMap<string, number>,
  guilds: ReadonlyMap<string, number>,
): { guildHeap: MinHeap<Filed>; userHeaps: Map<string, MinHeap<Filed>>; left: Map<string, number> } {
  const guildHeap = new MinHeap<Filed>(byTurnThenSeq);
  const userHeaps = new Map<string, MinHeap<Filed>>();
  const left = new Map<string, number>();
  for (const [guildId, byUser] of queues) {
    const heap = new MinHeap<Filed>(byTurnThenSeq);
    let count = 0;
    let minSeq = Infinity;
    for (const [userId, q] of byUser) {
      heap.push({ id: userId, turn: users.get(userId) ?? NEVER, seq: q[0]!.seq });
      count += q.length;
      minSeq = Math.min(minSeq, q[0]!.seq);
    }
    userHeaps.set(guildId, heap);
    left.set(guildId, count);
    guildHeap.push({ id: guildId, turn: guilds.get(guildId) ?? NEVER, seq: minSeq });
  }
  return { guildHeap, userHeaps, left };
}

/** A guild or user in a heap: its turn when filed, and its oldest waiting job's seq (for ties among the never-served). */
interface Filed {
  readonly id: string;
  readonly turn: number;
  readonly seq: number;
}
