// Helpers for child processes of the store tests (plain JS: Node runs it as is).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Tells the parent we are ready, then waits for its go file so all children start together. */
export function barrier(goFile) {
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) sleep(1);
}

export function request(store, userId, guildId) {
  const id = store.newJobId();
  const dir = store.jobDirectory(id);
  mkdirSync(dir, { recursive: true });
  const src = Buffer.from(`photo ${id}`);
  const drv = Buffer.from(`video ${id}`);
  writeFileSync(join(dir, 'source.png'), src);
  writeFileSync(join(dir, 'driving.mp4'), drv);
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  return {
    id,
    userId,
    guildId,
    channelId: 'c1',
    model: 'default',
    source: { path: join(dir, 'source.png'), sha256: sha(src), bytes: src.length },
    driving: { path: join(dir, 'driving.mp4'), sha256: sha(drv), bytes: drv.length, seconds: 3 },
  };
}
