import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaKey, PostgresMediaStore } from '../../src/media/index.js';
import { HOUR_MS, ManualClock, Store } from '../../src/store/index.js';
import { skipUnlessPostgres, testDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';
import { enqueueOk } from './helpers.js';

/**
 * With workers on other hosts, a job's photo, video and clip are also objects in the media store: the job store
 * deletes them with the job's files — history deletion, forget-me, retention — and the sweep removes the objects of
 * jobs that never got a row (a command that stopped between storing its inputs and queueing them).
 */
const noPostgres = skipUnlessPostgres();

let media: PostgresMediaStore;
let store: Store;
let clock: ManualClock;
const bytes = (text: string) =>
  (async function* () {
    yield Buffer.from(text);
  })();

beforeAll(async () => {
  if (noPostgres) return;
  const databaseUrl = await testDatabase();
  media = await PostgresMediaStore.open({ connectionString: databaseUrl });
  clock = new ManualClock(Date.now());
  store = await Store.open({ dataDir: tempDir(), databaseUrl, clock, media });
  await store.updateGuildSettings('g1', { perUserConcurrent: 5 }, 'mod');
});
afterAll(async () => {
  await store?.close();
  await media?.close();
});

async function jobWithMedia(userId: string) {
  const job = await enqueueOk(store, { userId });
  for (const role of ['photo', 'driving'] as const) await media.put(mediaKey(job.id, role), bytes(`${role} of ${job.id}`));
  return job;
}

describe.skipIf(noPostgres)("a job's media objects", () => {
  it('GIVEN its owner deletes a job THEN its objects go with its files', async () => {
    const job = await jobWithMedia('owner');
    expect(await media.list(job.id)).toHaveLength(2);
    expect(await store.deleteJobForOwner(job.id, 'owner')).toMatchObject({ deleted: true, filesRemoved: 4 });
    expect(await media.list(job.id)).toEqual([]);
  });

  it('GIVEN forget-me THEN every object of the member’s jobs goes', async () => {
    const a = await jobWithMedia('forgetful');
    const b = await jobWithMedia('forgetful');
    await store.forgetUser('forgetful');
    expect([...(await media.list(a.id)), ...(await media.list(b.id))]).toEqual([]);
  });

  it('GIVEN a finished job past retention THEN the sweep deletes its objects; GIVEN objects of a job with no row THEN the sweep deletes them too', async () => {
    const job = await jobWithMedia('retained');
    const claim = (await store.claimNext('w'))!;
    expect(claim.job.id).toBe(job.id); // the earlier tests left nothing queued
    await media.put(mediaKey(job.id, 'result'), bytes('clip'));
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(store.jobDirectory(job.id), { recursive: true });
    writeFileSync(`${store.jobDirectory(job.id)}/result.mp4`, 'clip');
    await store.complete(job.id, claim.leaseId, { path: `${store.jobDirectory(job.id)}/result.mp4`, bytes: 4, durationMs: 1000 });
    const orphan = store.newJobId();
    await media.put(mediaKey(orphan, 'photo'), bytes('a command that never queued'));
    clock.advance(8 * 24 * HOUR_MS);
    const report = await store.sweep();
    expect(report).toMatchObject({ expired: 1, failures: [] });
    expect(report.orphanDirsRemoved).toBeGreaterThanOrEqual(1);
    expect(await media.list(job.id)).toEqual([]);
    expect(await media.list(orphan)).toEqual([]);
  });
});
