// argv: storeIndex dataDir guildId
// Runs until killed: enqueues jobs for rotating users, claims and completes or
// fails some, and prints "<op> <jobId>" after each committed transaction.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { request } from './common.mjs';

const [index, dataDir, guildId] = process.argv.slice(2);
const { Store, newWorkerId } = await import(index);
const store = await Store.open({ dataDir, databaseUrl: process.env.MARIONETTE_TEST_DATABASE_URL || null });
const worker = newWorkerId();
process.stdout.write(`worker ${worker}\n`);
for (let i = 0; ; i += 1) {
  const userId = `u${i % 500}`;
  await store.setConsent(userId, 'accepted');
  const r = await store.enqueue(request(store, userId, guildId));
  if (r.ok) process.stdout.write(`queued ${r.job.id}\n`);
  if (i % 2 === 0) {
    const c = await store.claimNext(worker);
    if (c !== null) {
      process.stdout.write(`running ${c.job.id}\n`);
      if (i % 4 === 0) {
        const out = join(store.jobDirectory(c.job.id), 'out.mp4');
        writeFileSync(out, 'x');
        await store.complete(c.job.id, c.leaseId, { path: out, bytes: 1, durationMs: 1000 });
        process.stdout.write(`succeeded ${c.job.id}\n`);
      }
    }
  }
}
