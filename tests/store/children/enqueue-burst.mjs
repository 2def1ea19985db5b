// argv: storeIndex dataDir goFile nowMs guildId count user1[,user2...]
// Waits for the go file, then enqueues `count` jobs for each user in turn and
// prints one JSON line: { accepted: [ids], refused: [limits] }.
import { barrier, request } from './common.mjs';

const [index, dataDir, goFile, nowMs, guildId, count, users] = process.argv.slice(2);
const { Store, ManualClock } = await import(index);
const store = await Store.open({
  dataDir,
  databaseUrl: process.env.MARIONETTE_TEST_DATABASE_URL || null,
  clock: new ManualClock(Number(nowMs)),
  recover: false,
});
const accepted = [];
const refused = [];
barrier(goFile);
for (let i = 0; i < Number(count); i += 1) {
  for (const userId of users.split(',')) {
    const r = await store.enqueue(request(store, userId, guildId));
    if (r.ok) accepted.push(r.job.id);
    else refused.push(r.refusal.reason === 'rate-limit' ? r.refusal.limit : r.refusal.reason);
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ accepted, refused })}\n`);
