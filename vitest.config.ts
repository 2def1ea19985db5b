import { defineConfig } from 'vitest/config';
import { findPostgres } from './tests/support/postgres-cluster.js';

/** The store's test files that open a store: run again on PostgreSQL (the same files, MARIONETTE_TEST_STORE=postgres). */
const STORE_ON_BOTH = [
  'job-queue',
  'history-deletion',
  'rate-limits',
  'retention',
  'delivery-secrets',
  'guild-settings',
  'users-consent',
  'intakes',
  'consent-waits',
  'processes',
  'workers',
  'concurrent-admission',
].map((name) => `tests/store/${name}.test.ts`);

/** Without PostgreSQL's programs the second run of the store's tests cannot happen: said plainly; in CI, a failure. */
const postgres = findPostgres();
if (typeof postgres === 'string') {
  if (process.env['MARIONETTE_CI'] === '1') throw new Error(`${postgres} CI must run the store's tests on PostgreSQL.`);
  console.warn(`Skipped: the store's tests on PostgreSQL. ${postgres}`);
}

export default defineConfig({
  test: {
    // Stops the run with one sentence when ffmpeg is missing (tests/support/global-setup.ts); starts PostgreSQL when a test asks.
    globalSetup: ['tests/support/global-setup.ts'],
    // Tests run real ffmpeg, onnxruntime, SQLite and PostgreSQL; media tests take seconds each.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'main', include: ['tests/**/*.test.ts'] } },
      ...(typeof postgres === 'string'
        ? []
        : [{ extends: true as const, test: { name: 'store on PostgreSQL', include: STORE_ON_BOTH, env: { MARIONETTE_TEST_STORE: 'postgres' } } }]),
    ],
  },
});
