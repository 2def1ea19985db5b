/**
 * Throwaway PostgreSQL clusters for tests: finding the server programs, initdb, start, stop, restart, and the
 * clean-up of a whole run's folder. No vitest here (tests/support/postgres.ts is the tests' side; the global set-up
 * uses this to clean up). Everything runs as the current user, or, when that is root (PostgreSQL refuses to run as
 * root), as the `postgres` system user, who then owns the run's folder.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';

const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'] as const;

/** A test run's clusters live in `<tmpdir>/marionette-pg-…/`; tests/support/global-setup.ts makes it and removes it. */
export const RUN_DIR_PREFIX = 'marionette-pg-';

export interface PostgresInstall {
  /** The folder holding initdb, pg_ctl and postgres. */
  readonly bin: string;
  /** Who runs the server: null for the current user; the postgres user's ids when the tests run as root. */
  readonly runAs: { readonly uid: number; readonly gid: number } | null;
}

const INSTALL_HINT =
  'install them (Debian or Ubuntu: sudo apt-get install -y postgresql, or run tools/setup/system-deps.sh test; ' +
  'macOS: brew install postgresql@16; Fedora: sudo dnf install postgresql-server; Arch: sudo pacman -S postgresql), ' +
  'or set MARIONETTE_PG_BIN to the folder that holds them.';

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const complete = (dir: string): boolean => PROGRAMS.every((p) => executable(join(dir, p)));

/** Version folders newest first (postgresql@16 before postgresql@15, 15 before 9.6). */
function versionDirs(parent: string, pattern: RegExp, bin: string): string[] {
  if (!existsSync(parent)) return [];
  const version = (name: string) => Number((pattern.exec(name)?.[1] ?? '0').replace(/\..*/, ''));
  return readdirSync(parent)
    .filter((name) => pattern.test(name))
    .sort((a, b) => version(b) - version(a))
    .map((name) => join(parent, name, bin));
}

/** Where the server programs may be: MARIONETTE_PG_BIN alone when it is set; else initdb on PATH, then the usual packaged places. */
function candidateDirs(env: NodeJS.ProcessEnv): string[] {
  if (env['MARIONETTE_PG_BIN']) return [env['MARIONETTE_PG_BIN']];
  const fromPath = (env['PATH'] ?? '')
    .split(delimiter)
    .filter((d) => d !== '' && executable(join(d, 'initdb')))
    .map((d) => dirname(realpathSync(join(d, 'initdb')))); // Debian links /usr/bin/initdb-like names to the versioned folder
  return [
    ...fromPath,
    ...versionDirs('/usr/lib/postgresql', /^(\d+(?:\.\d+)?)$/, 'bin'), // Debian, Ubuntu
    ...versionDirs('/opt/homebrew/opt', /^postgresql@(\d+)$/, 'bin'), // Homebrew on Apple silicon (keg-only)
    ...versionDirs('/usr/local/opt', /^postgresql@(\d+)$/, 'bin'), // Homebrew on Intel
    ...versionDirs('/usr', /^pgsql-(\d+)$/, 'bin'), // PGDG packages on Fedora and RHEL
    '/usr/bin', // Fedora's and Arch's own packages
  ];
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/** The server programs and who runs them, or one sentence saying what is missing and how to install it. */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresInstall | string {
  const bin = candidateDirs(env).find(complete);
  if (bin === undefined) {
    const where = env['MARIONETTE_PG_BIN'] ? `in MARIONETTE_PG_BIN (${env['MARIONETTE_PG_BIN']})` : 'on PATH or in the usual places';
    return `PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found ${where}: ${INSTALL_HINT}`;
  }
  if (process.getuid?.() !== 0) return { bin, runAs: null };
  const runAs = postgresUser();
  if (runAs === null) {
    return (
      'PostgreSQL refuses to run as root and this machine has no postgres user to run it as: ' +
      'run the tests as an ordinary user, or create that user (sudo useradd --system postgres).'
    );
  }
  return { bin, runAs };
}

function run(install: PostgresInstall, program: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const ids = install.runAs ?? {};
  // LC_ALL=C: initdb takes the locale from the environment, and a locale the system lacks stops it.
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  return new Promise((resolve, reject) => {
    execFile(join(install.bin, program), [...args], { ...ids, env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${(stderr || stdout || error.message).trim()}`));
      else resolve(stdout);
    });
  });
}

/** A folder the server's user can use: made here, handed to the postgres user when running as root. */
export function makeServerDir(install: PostgresInstall, dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (install.runAs) chownSync(dir, install.runAs.uid, install.runAs.gid);
  return dir;
}

/** A port nothing listens on now (the kernel's choice); the server binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** initdb into `<dir>/data`: trust authentication, superuser `marionette`, no fsync (a test cluster). */
export async function initCluster(install: PostgresInstall, dir: string): Promise<void> {
  makeServerDir(install, dir);
  await run(install, 'initdb', ['-D', join(dir, 'data'), '--auth=trust', '-U', SUPERUSER, '--no-sync', '--encoding=UTF8', '--locale=C'], 120_000);
}

export const SUPERUSER = 'marionette';

export interface ClusterOptions {
  /** Extra server settings (`-c name=value`), e.g. { max_connections: '300' }. */
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * One cluster in `<dir>` (data folder `<dir>/data`, log `<dir>/server.log`, socket in `<dir>`), listening on
 * 127.0.0.1 at a port chosen once, so its URLs stay valid across restarts.
 */
export class PgCluster {
  constructor(
    readonly install: PostgresInstall,
    readonly dir: string,
    readonly port: number,
    private readonly options: ClusterOptions = {},
  ) {}

  /** A new cluster made from a copy of an initdb'd template (a copy takes a fraction of initdb's seconds). */
  static async fromTemplate(install: PostgresInstall, template: string, dir: string, options: ClusterOptions = {}): Promise<PgCluster> {
    makeServerDir(install, dir);
    await copyAs(install, join(template, 'data'), join(dir, 'data'));
    return new PgCluster(install, dir, await freePort(), options);
  }

  url(database = 'postgres'): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  get running(): boolean {
    return existsSync(join(this.dir, 'data', 'postmaster.pid'));
  }

  async start(): Promise<void> {
    // fsync=off only: a commit still reaches the kernel before it is acknowledged, so an immediate stop (a crash of the
    // server, not of the machine) loses nothing acknowledged, as the fault drills expect. synchronous_commit stays on.
    const settings = { listen_addresses: '127.0.0.1', fsync: 'off', ...this.options.settings };
    const opts = [`-p ${this.port}`, `-k ${this.dir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
    try {
      await run(this.install, 'pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start'], 90_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nserver log:\n${this.logTail()}`);
    }
  }

  /** fast: clients are disconnected, then a clean shutdown; immediate: like a crash (recovery at the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    await run(this.install, 'pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop'], 90_000);
  }

  /** Stops the server, keeps it down for `downMs`, and starts it again on the same port with the same data. */
  async restart(options: { mode?: 'fast' | 'immediate'; downMs?: number } = {}): Promise<void> {
    await this.stop(options.mode ?? 'fast');
    if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
    await this.start();
  }

  /** Creates an empty database (from template0, so concurrent creations never wait on each other) and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE template0`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Drops a database if nobody is connected to it any more; leaves it (the cluster goes at the end anyway) otherwise. */
  async dropDatabaseIfIdle(name: string): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({ connectionString: this.url() });
    try {
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
    } catch {
      // still in use: the run's clean-up removes the whole cluster
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** cp -a as the server's user, so the copy has the owner and modes PostgreSQL insists on. */
function copyAs(inst: PostgresInstall, from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('cp', ['-a', from, to], { ...(inst.runAs ?? {}) }, (error, _stdout, stderr) =>
      error ? reject(new Error(`copying ${from} failed: ${(stderr || error.message).trim()}`)) : resolve(),
    );
  });
}

/**
 * Runs `fn` holding a lock shared by all the run's processes (a folder made with mkdir, which only one process can
 * make). A lock left by a process that died is taken over.
 */
export async function withRunLock<T>(runDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(runDir, 'lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!alive(readPid(join(lock, 'pid')))) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether a process exists; an unreadable pid (the lock's owner is still writing it) counts as alive. */
function alive(pid: number | null): boolean {
  if (pid === null) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The run folder's owner file: the process whose end makes the folder garbage. */
export function claimRunDir(runDir: string, ownerPid = process.pid): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'owner'), String(ownerPid));
}

/** Stops every cluster still running in a run folder (immediately: their data is thrown away) and removes the folder. */
export async function removeRunDir(runDir: string): Promise<void> {
  if (!existsSync(runDir)) return;
  const found = findPostgres();
  const clusters = readdirSync(runDir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(runDir, d.name, 'data', 'postmaster.pid')));
  if (typeof found !== 'string') {
    await Promise.all(clusters.map((d) => new PgCluster(found, join(runDir, d.name), 0).stop('immediate').catch(() => undefined)));
  }
  rmSync(runDir, { recursive: true, force: true });
}

/** Removes run folders (prefix in `parent`) whose owner process is gone: what a killed test run left behind. */
export async function removeAbandonedRunDirs(parent: string, prefix: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    const owner = readPid(join(dir, 'owner'));
    if (owner !== null && !alive(owner)) await removeRunDir(dir).catch(() => undefined);
  }
}
