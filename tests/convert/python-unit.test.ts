/** The converter's Python unit tests (tools/convert/tests, unittest), run under the one `npm test`. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { skipUnlessAvailable } from '../support/ci.js';
import { CONVERTER_ROOT, runPython, NO_PYTHON, PYTHON_READY } from './helpers.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

/** The test methods unittest should find: `def test…(self` in tools/convert/tests/test*.py. */
function testMethodCount(): number {
  const dir = join(CONVERTER_ROOT, 'tests');
  return readdirSync(dir)
    .filter((f) => /^test.*\.py$/.test(f))
    .reduce((n, f) => n + (readFileSync(join(dir, f), 'utf8').match(/^\s+def test\w*\(self/gm)?.length ?? 0), 0);
}

it.skipIf(noPython)(
  'passes the Python unit tests, all of them found',
  async () => {
    const expected = testMethodCount();
    expect(expected).toBeGreaterThan(0);
    const result = await runPython(['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/\nOK/);
    // Discovery that finds nothing (an import error hidden by a rename, a wrong folder) still says OK.
    const ran = Number(/^Ran (\d+) tests? in /m.exec(result.stderr)?.[1] ?? 0);
    expect(ran, `unittest ran ${ran} tests; tools/convert/tests defines ${expected}`).toBeGreaterThanOrEqual(expected);
  },
  300_000,
);
