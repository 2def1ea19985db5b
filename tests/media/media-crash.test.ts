/**
 * A writer process killed (SIGKILL) in the middle of an object: what it wrote stays invisible to every reader, and the
 * sweep removes it once it is older than the grace time. The child runs the compiled media store (npm test builds it).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MediaNotFoundError, mediaKey } from '../../src/media/index.js';
import { BACKENDS, newJobId } from './helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMPILED = join(ROOT, 'dist', 'src', 'media', 'index.js');

/** Starts the writer and kills it once it has handed over `chunks` chunks (and a moment for the last to land). */
async function killWriterAfter(backend: string, where: string, key: string, chunks: number): Promise<void> {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run "npm run build" (npm test does) before the media tests`);
  const child = spawn(process.execPath, [join(ROOT, 'tests', 'media', 'children', 'crash-writer.mjs'), COMPILED, backend, where, key], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<string | number | null>((r) => child.on('exit', (code, signal) => r(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes(`chunks ${chunks}\n`)) resolve();
    });
    void exited.then((how) => reject(new Error(`the writer ended (${how}) before it had written ${chunks} chunks: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

describe.each(BACKENDS)('the $name media store after its writer was killed', (backend) => {
  it('shows nothing of the object, and the sweep removes what was written once it is old enough', async () => {
    const store = await backend.open();
    const job = newJobId();
    const key = mediaKey(job, 'result');
    await killWriterAfter(backend.name, await backend.where(), key, 5);
    expect(await backend.backdoor.leftovers(job)).toBeGreaterThan(0);
    expect(await store.stat(key)).toBeNull();
    expect(await store.list(job)).toEqual([]);
    await expect(store.read(key)).rejects.toThrow(MediaNotFoundError);
    expect(await store.sweepIncomplete(60 * 60 * 1000)).toBe(0); // the writer might still be alive, for all the sweep knows
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.sweepIncomplete(10)).toBe(1);
    expect(await backend.backdoor.leftovers(job)).toBe(0);
  });
});
