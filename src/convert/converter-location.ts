import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the Python package lives, relative to the repository root. */
export const CONVERTER_DIR = join('tools', 'convert');
export const CONVERTER_PACKAGE = 'marionette_convert';

/**
 * The folder to put on PYTHONPATH (…/tools/convert). Found by walking up from this
 * module, so it works from src/ (tests) and from dist/src/ (the built CLI).
 */
export function converterRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, CONVERTER_DIR);
    if (existsSync(join(candidate, CONVERTER_PACKAGE, '__main__.py'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${CONVERTER_DIR}/${CONVERTER_PACKAGE} above ${start}`);
    dir = parent;
  }
}
