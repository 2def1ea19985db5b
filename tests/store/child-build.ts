/**
 * Child processes (concurrency and crash tests) run the real store code, as
 * compiled by the test command (`npm test` runs tsc before vitest).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const CHILDREN_DIR = join(ROOT, 'tests', 'store', 'children');

/** The compiled store's index.js for child processes. */
export function buildStoreForChildren(): { index: string; cleanup: () => void } {
  const index = join(ROOT, 'dist', 'src', 'store', 'index.js');
  if (!existsSync(index)) throw new Error(`${index} is missing: run "npm run build" (npm test does) before the store tests`);
  return { index, cleanup: () => undefined };
}
