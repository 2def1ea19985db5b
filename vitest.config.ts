import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Stops the run with one sentence when ffmpeg is missing (tests/support/global-setup.ts).
    globalSetup: ['tests/support/global-setup.ts'],
    // Tests run real ffmpeg, onnxruntime and SQLite; media tests take seconds each.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
