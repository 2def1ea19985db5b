/**
 * Real concurrency: several OS processes on the same database file, released
 * together. And a crash: kill -9 in the middle of a stream of transactions.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type Job } from '../../src/store/index.js';
import { buildStoreForChildren } from './child-build.js';
import { tempDir } from '../support/temp-dir.js';
import { enqueueOk, ON_POSTGRES, openStore, T0 } from './helpers.js';
import { runTogether, startChild } from './spawn.js';
import { inOrder, range } from '../support/in-order.js';

let build: { index: string; cleanup: () => void };
beforeAll(() => {
  build = buildStoreForChildren();
});
afterAll(() => build.cleanup());

const PROCS = 6;

function results<T>(lines: readonly string[]): T {
  const last = lines[lines.length - 1]!;
  return JSON.parse(last) as T;
}

describe('several processes at once', () => {
  it('GIVEN six processes enqueueing for one member at once THEN no more jobs get through than the per-user limit allows', async () => {
    const dir = tempDir();
    const setup = await openStore(dir, new ManualClock(T0));
    await setup.updateGuildSettings('g1', { perUserPerHour: 7, perUserConcurrent: 10 }, 'mod');
    await setup.setConsent('u1', 'accepted');
    await setup.close();
    const children = await runTogether(dir, PROCS, (_, go) => startChild('enqueue-burst.mjs', [build.index, dir, go, String(T0), 'g1', '4', 'u1']));
    const all = children.map((c) => results<{ accepted: string[]; refused: string[] }>(c.lines));
    const accepted = all.flatMap((r) => r.accepted);
    expect(accepted).toHaveLength(7);
    expect(all.flatMap((r) => r.refused)).toEqual(Array.from({ length: PROCS * 4 - 7 }, () => 'user-hour'));
    const check = await openStore(dir, new ManualClock(T0));
    expect(await check.sql.value('SELECT COUNT(*) FROM jobs')).toBe(7);
    if (!ON_POSTGRES) expect(check.integrityCheck()).toBe('ok');
  });

  it('GIVEN six processes enqueueing for many members at once THEN the guild cap holds exactly, and no member gets two', async () => {
    const dir = tempDir();
    const setup = await openStore(dir, new ManualClock(T0));
    await setup.updateGuildSettings('g1', { guildPerDay: 23 }, 'mod');
    const users = Array.from({ length: PROCS }, (_, p) => Array.from({ length: 5 }, (_, i) => `p${p}u${i}`));
    for (const u of users.flat()) await setup.setConsent(u, 'accepted');
    await setup.close();
    const children = await runTogether(dir, PROCS, (i, go) =>
      startChild('enqueue-burst.mjs', [build.index, dir, go, String(T0), 'g1', '2', users[i]!.join(',')]),
    );
    const all = children.map((c) => results<{ accepted: string[]; refused: string[] }>(c.lines));
    expect(all.flatMap((r) => r.accepted)).toHaveLength(23);
    // each user may have one job at a time (default), so each got at most one
    const check = await openStore(dir, new ManualClock(T0));
    const perUser = await check.sql.value('SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM jobs GROUP BY user_id) AS per_user');
    expect(perUser).toBe(1);
    // Every other attempt was refused by one of the two limits; which one depends on how the processes interleave (on
    // PostgreSQL they run truly at once, and the server's cap fills in the first round).
    const refused = all.flatMap((r) => r.refused);
    expect(refused).toHaveLength(PROCS * 5 * 2 - 23);
    expect(refused.every((r) => r === 'guild-day' || r === 'user-concurrent')).toBe(true);
  });

  it('GIVEN six processes claiming at once THEN every job is claimed exactly once', async () => {
    const dir = tempDir();
    const setup = await openStore(dir, new ManualClock(T0));
    const jobs: Job[] = await inOrder(range(40), async (_, i) => await enqueueOk(setup, { userId: `u${i}` }));
    await setup.close();
    const children = await runTogether(dir, PROCS, (i, go) => startChild('claim-race.mjs', [build.index, dir, go, String(T0), `w${i}`]));
    const claimed = children.flatMap((c) => results<{ claimed: string[] }>(c.lines).claimed);
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed)).toEqual(new Set(jobs.map((j) => j.id)));
  });
});

describe('kill -9', () => {
  it('GIVEN a process killed mid-stream THEN nothing committed is lost, the file is sound, and its running jobs are requeued at start-up', async () => {
    const dir = tempDir();
    const setup = await openStore(dir, new ManualClock(Date.now()));
    await setup.updateGuildSettings('g1', { perUserPerHour: 100, perUserPerDay: 1000, perUserConcurrent: 10, guildPerDay: 10_000 }, 'mod');
    await setup.close();
    const child = startChild('crash-loop.mjs', [build.index, dir, 'g1']);
    const worker = (await child.waitFor((l) => l.startsWith('worker '))).slice('worker '.length);
    let seen = 0;
    await child.waitFor((l) => l.startsWith('succeeded') && ++seen >= 40);
    child.proc.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');

    const store = await openStore(dir, new ManualClock(Date.now()));
    if (!ON_POSTGRES) expect(store.integrityCheck()).toBe('ok');
    const last = new Map<string, string>();
    for (const line of child.lines) {
      const [op, id] = line.split(' ');
      if (op === 'queued' || op === 'running' || op === 'succeeded') last.set(id!, op);
    }
    expect(last.size).toBeGreaterThan(40);
    for (const [id, op] of last) {
      const job = await store.getJob(id);
      expect(job, `job ${id}`).not.toBeNull();
      if (op === 'succeeded') expect(job!.state).toBe('succeeded');
      else expect(['queued', 'running', 'succeeded']).toContain(job!.state);
    }
    // The dead worker's running jobs come back at start-up (same host, pid gone).
    expect(await store.sql.value("SELECT COUNT(*) FROM jobs WHERE state = 'running'")).toBe(0);
    expect(store.startupRecovery.requeued.length).toBeGreaterThan(0);
    expect((await store.getJob(store.startupRecovery.requeued[0]!))!.lastError).toContain(worker);
    if (!ON_POSTGRES) expect(join(dir, 'marionette.sqlite')).toBe(store.file);
  });
});
