/** The converter's Python unit tests (tools/convert/tests, unittest), run under the one `npm test`. */
import { expect, it } from 'vitest';
import { runPython } from './helpers.js';

it('passes the Python unit tests', async () => {
  const result = await runPython(['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/\nOK/);
}, 300_000);
