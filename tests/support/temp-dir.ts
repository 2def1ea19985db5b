import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const pending = new Set<string>();
const remove = (dir: string) => {
  rmSync(dir, { recursive: true, force: true });
  pending.delete(dir);
};
// Registered while the test file that imports this module is collected (vitest isolates files, so once
// per file): removes what a hook made (an afterAll registered from inside beforeAll is never run).
afterAll(() => {
  for (const dir of [...pending]) remove(dir);
});

/**
 * A temporary folder, removed when it is no longer needed: made inside a test,
 * when that test finishes; made while the file is collected (at its top level or
 * in a describe block) or in a hook, when the file's tests have all run.
 */
export function tempDir(prefix = 'marionette-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  pending.add(dir);
  try {
    onTestFinished(() => remove(dir)); // throws outside a running test
  } catch {
    afterAll(() => remove(dir));
  }
  return dir;
}
