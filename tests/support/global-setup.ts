import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { claimRunDir, removeAbandonedRunDirs, removeRunDir, RUN_DIR_PREFIX } from './postgres-cluster.js';

/**
 * Before any test: ffmpeg and ffprobe are what Marionette runs on, and nearly every test decodes or encodes.
 * Without them the run stops here with one sentence saying how to install them, instead of hundreds of failures.
 *
 * It also makes the folder for the run's PostgreSQL clusters (tests/support/postgres.ts: the first test file that
 * needs a server starts it there, so runs without such a test pay nothing), removes what killed runs left, and at
 * the end stops the servers and removes the folder.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    resolveFfmpeg();
  } catch (e) {
    throw new Error(`The tests need ffmpeg and ffprobe, and this machine lacks them. ${(e as Error).message}`);
  }
  await removeAbandonedRunDirs(tmpdir(), RUN_DIR_PREFIX);
  const runDir = join(tmpdir(), `${RUN_DIR_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`);
  claimRunDir(runDir);
  project.provide('marionettePostgresRun', runDir);
  return () => removeRunDir(runDir);
}
