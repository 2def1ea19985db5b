import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Store } from '../../src/store/index.js';

/**
 * Finished jobs written straight into the bot's store, for history tests that
 * need many entries without running the engine for each. It goes through the
 * store's own operations (enqueue, claim, complete or fail, deliver) in one
 * synchronous run, so the in-process bot's runner (same event loop) cannot
 * claim the job in between. Call it only while no other job is queued.
 */
export interface SeedJob {
  readonly userId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly outcome?: 'delivered' | 'failed' | 'undelivered';
  readonly failure?: string;
  readonly mode?: 'relative' | 'absolute';
  readonly seconds?: number;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function seedJob(store: Store, o: SeedJob): Promise<Job> {
  const id = store.newJobId();
  const dir = store.jobDirectory(id);
  mkdirSync(dir, { recursive: true });
  const photo = randomBytes(64);
  const video = randomBytes(128);
  writeFileSync(join(dir, 'photo.png'), photo);
  writeFileSync(join(dir, 'driving.mp4'), video);
  await store.setConsent(o.userId, 'accepted');
  const queued = await store.enqueue({
    id,
    userId: o.userId,
    guildId: o.guildId,
    channelId: o.channelId,
    interaction: null,
    source: { path: join(dir, 'photo.png'), sha256: sha(photo), bytes: photo.length },
    driving: { path: join(dir, 'driving.mp4'), sha256: sha(video), bytes: video.length, seconds: o.seconds ?? 2 },
    model: 'default',
    options: { mode: o.mode ?? 'relative', bestFrame: 'off' },
    visibility: 'public', // delivered as a channel message with the clip (a private job's would be a notice only)
  });
  if (!queued.ok) throw new Error(`seeding refused: ${JSON.stringify(queued.refusal)}`);
  const claim = await store.claimNext('seed:0:test');
  if (claim?.job.id !== id) throw new Error(`seeding claimed ${claim?.job.id ?? 'nothing'} instead of ${id}: another job was queued`);
  if (o.outcome === 'failed') {
    const message = o.failure ?? 'The photo has no face Marionette can find.';
    await store.fail(id, claim.leaseId, { error: 'seeded failure', reason: { code: 'input', message }, retryable: false });
  } else {
    const clip = randomBytes(2048);
    writeFileSync(join(dir, 'result.mp4'), clip);
    await store.complete(id, claim.leaseId, { path: join(dir, 'result.mp4'), bytes: clip.length, durationMs: (o.seconds ?? 2) * 1000 });
  }
  if (o.outcome === 'undelivered') {
    await store.markDeliveryFailed(id, 'seeded: no route');
  } else {
    await store.beginDelivery(id, 'channel');
    await store.markDelivered(id, 'channel', '1');
  }
  return (await store.getJob(id))!;
}
