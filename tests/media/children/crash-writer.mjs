// A writer killed mid-write (tests/media/media-crash.test.ts): puts an endless object into the media store, printing
// "chunks N" as chunks are handed over, until the test kills it with SIGKILL.
//   node crash-writer.mjs <compiled src/media/index.js> local|postgres <root folder|database URL> <key>
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const [index, backend, where, key] = process.argv.slice(2);
const { LocalMediaStore, PostgresMediaStore } = await import(pathToFileURL(index).href);
const chunkBytes = 64 * 1024;
const store = backend === 'local' ? new LocalMediaStore({ root: where, chunkBytes }) : await PostgresMediaStore.open({ connectionString: where, chunkBytes });

async function* endless() {
  for (let n = 1; ; n += 1) {
    yield randomBytes(chunkBytes);
    console.log(`chunks ${n}`); // asked for the next one: chunk n is on its way into the store
    await sleep(20);
  }
}
await store.put(key, endless());
