/**
 * PostgreSQL for tests. One throwaway cluster serves the whole test run: the first test file that asks for a database
 * starts it (initdb once, in the run's folder, made by tests/support/global-setup.ts), and the global set-up stops
 * and removes it at the end. Each call to `testDatabase()` creates a fresh, empty database on it, so test files never
 * see each other's tables. A test that restarts or stops the server (a fault drill) gets a server of its own from
 * `ownPostgres()`: restarting the shared one would break the other files' connections.
 *
 * As root, the servers run as the `postgres` system user (PostgreSQL refuses root). Where PostgreSQL is missing,
 * `skipUnlessPostgres()` skips the suite with one sentence saying how to install it (fails under MARIONETTE_CI=1).
 *
 *   const noPostgres = skipUnlessPostgres();
 *   describe.skipIf(noPostgres)('…', () => {
 *     let url: string;
 *     beforeAll(async () => { url = await testDatabase(); });
 *   });
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { skipUnlessAvailable } from './ci.js';
import {
  claimRunDir,
  findPostgres,
  freePort,
  initCluster,
  makeServerDir,
  PgCluster,
  removeRunDir,
  RUN_DIR_PREFIX,
  withRunLock,
  type ClusterOptions,
  type PostgresInstall,
} from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder for this run's PostgreSQL clusters (tests/support/global-setup.ts). */
    marionettePostgresRun: string;
  }
}

const found = findPostgres();

/** null when PostgreSQL can run here; otherwise the sentence saying what is missing and how to install it. */
export const POSTGRES_PROBLEM: string | null = typeof found === 'string' ? found : null;

/** For a suite that needs PostgreSQL: true (skip it) when the server programs are missing; see skipUnlessAvailable. */
export function skipUnlessPostgres(): boolean {
  return skipUnlessAvailable(POSTGRES_PROBLEM === null, POSTGRES_PROBLEM ?? '');
}

function requireInstall(): PostgresInstall {
  if (typeof found === 'string') throw new Error(found);
  return found;
}

let runDir: string | null = null;
let runDirIsOurs = false;
let shared: PgCluster | null = null;
const databases: string[] = [];
const owned: PgCluster[] = [];

/** The run's folder; a folder of this file's own when the tests run without the global set-up. */
function theRunDir(inst: PostgresInstall): string {
  if (runDir !== null) return runDir;
  let provided: string | undefined;
  try {
    provided = inject('marionettePostgresRun');
  } catch {
    provided = undefined;
  }
  if (provided) {
    runDir = provided;
  } else {
    runDir = mkdtempSync(join(tmpdir(), RUN_DIR_PREFIX));
    claimRunDir(runDir);
    runDirIsOurs = true;
  }
  makeServerDir(inst, runDir);
  return runDir;
}

/** The initdb'd data folder every cluster of the run is copied from; made once, under the run's lock. */
async function template(inst: PostgresInstall, dir: string): Promise<string> {
  const path = join(dir, 'template');
  if (existsSync(join(path, 'ready'))) return path;
  rmSync(path, { recursive: true, force: true }); // an initdb interrupted by a killed process
  await initCluster(inst, path);
  writeFileSync(join(path, 'ready'), '');
  return path;
}

/** A copy of the template, started on a free port (another port if that one was taken in the meantime). */
async function startCopy(inst: PostgresInstall, dir: string, name: string, options: ClusterOptions = {}): Promise<PgCluster> {
  const from = await template(inst, dir);
  const cluster = await PgCluster.fromTemplate(inst, from, join(dir, name), options);
  for (let attempt = 1; ; attempt += 1) {
    const candidate = attempt === 1 ? cluster : new PgCluster(inst, cluster.dir, await freePort(), options);
    try {
      await candidate.start();
      return candidate;
    } catch (e) {
      if (attempt >= 3 || !/could not bind|already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function sharedCluster(): Promise<PgCluster> {
  if (shared !== null) return shared;
  const inst = requireInstall();
  const dir = theRunDir(inst);
  shared = await withRunLock(dir, async () => {
    const info = join(dir, 'shared.json');
    if (existsSync(info)) return new PgCluster(inst, join(dir, 'shared'), (JSON.parse(readFileSync(info, 'utf8')) as { port: number }).port);
    const cluster = await startCopy(inst, dir, 'shared');
    writeFileSync(info, JSON.stringify({ port: cluster.port }));
    return cluster;
  });
  return shared;
}

/** A fresh, empty database on the run's shared server, as a `postgres://` URL (superuser `marionette`, no password). */
export async function testDatabase(): Promise<string> {
  const cluster = await sharedCluster();
  const name = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = await cluster.createDatabase(name);
  databases.push(name);
  return url;
}

export interface RestartOptions {
  /** fast (default): clients are disconnected and the server shuts down cleanly; immediate: as if it crashed. */
  readonly mode?: 'fast' | 'immediate';
  /** How long the server stays down before it starts again (default 0). */
  readonly downMs?: number;
}

/** A server of this test file's own, which it may restart or stop; stopped and removed when the file's tests end. */
export interface OwnPostgres {
  readonly port: number;
  /** A fresh, empty database on this server, as a `postgres://` URL. URLs stay valid across restarts. */
  database(): Promise<string>;
  restart(options?: RestartOptions): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** The end of the server's log, for a failure message. */
  logTail(lines?: number): string;
}

/** Starts a server for this test file alone (about a second: a copy of the run's initdb'd template). */
export async function ownPostgres(options: ClusterOptions = {}): Promise<OwnPostgres> {
  const inst = requireInstall();
  const dir = theRunDir(inst);
  const name = `own-${process.pid}-${owned.length + 1}-${randomBytes(3).toString('hex')}`;
  await withRunLock(dir, () => template(inst, dir));
  const cluster = await startCopy(inst, dir, name, options);
  owned.push(cluster);
  return {
    port: cluster.port,
    database: () => cluster.createDatabase(`test_${randomBytes(4).toString('hex')}`),
    restart: (o) => cluster.restart(o),
    stop: (mode) => cluster.stop(mode),
    start: () => cluster.start(),
    logTail: (lines) => cluster.logTail(lines),
  };
}

/**
 * Restarts the server behind `url` (mid-test, e.g. during a load run), which must come from `ownPostgres()`: the
 * shared server of `testDatabase()` serves other test files at the same time.
 */
export async function restartPostgres(url: string, options: RestartOptions = {}): Promise<void> {
  const port = Number(new URL(url).port);
  const cluster = owned.find((c) => c.port === port);
  if (cluster === undefined) {
    throw new Error(
      `restartPostgres restarts only a server this test file started with ownPostgres() (${url} is not one): ` +
        'the shared server of testDatabase() serves other test files at the same time.',
    );
  }
  await cluster.restart(options);
}

// Registered when a test file imports this module, so it runs after the file's own afterAll hooks (pools closed).
afterAll(async () => {
  for (const cluster of owned.splice(0)) {
    await cluster.stop('immediate').catch(() => undefined);
    rmSync(cluster.dir, { recursive: true, force: true });
  }
  if (shared !== null) for (const name of databases.splice(0)) await shared.dropDatabaseIfIdle(name);
  if (runDirIsOurs && runDir !== null) await removeRunDir(runDir);
});
