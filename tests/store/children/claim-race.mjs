// argv: storeIndex dataDir goFile nowMs workerId
// Waits for the go file, claims until the queue is empty, prints { claimed: [ids] }.
import { barrier } from './common.mjs';

const [index, dataDir, goFile, nowMs, workerId] = process.argv.slice(2);
const { Store, ManualClock } = await import(index);
const store = await Store.open({
  dataDir,
  databaseUrl: process.env.MARIONETTE_TEST_DATABASE_URL || null,
  clock: new ManualClock(Number(nowMs)),
  recover: false,
});
const claimed = [];
barrier(goFile);
for (;;) {
  const c = await store.claimNext(workerId, 3_600_000);
  if (c === null) break;
  claimed.push(c.job.id);
}
await store.close();
process.stdout.write(`${JSON.stringify({ claimed })}\n`);
