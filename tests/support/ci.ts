import { it } from 'vitest';

/** Set by .ci/run: there, a test whose prerequisite is missing fails instead of skipping. */
export const IN_CI = process.env['MARIONETTE_CI'] === '1';

/**
 * For a suite that needs something this machine may lack: returns whether to
 * skip it. Outside CI a missing prerequisite skips it with a warning; in CI
 * (MARIONETTE_CI=1) it adds a failing test whose message says what is missing,
 * so CI can never pass with the suite quietly skipped.
 */
export function skipUnlessAvailable(available: boolean, missing: string): boolean {
  if (available) return false;
  if (IN_CI) {
    it(`has what it needs in CI (MARIONETTE_CI=1)`, () => {
      throw new Error(`${missing} CI must run these tests, so this fails instead of skipping.`);
    });
  } else {
    console.warn(`Skipped: ${missing}`);
  }
  return true;
}
