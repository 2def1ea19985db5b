/**
 * Deleting files safely. The store only ever deletes inside the data directory
 * (resolved through symlinks), and every deletion is verified: a file that still
 * exists afterwards is an error, not a silent success.
 *
 * Layout: each job's files live in `<dataDir>/jobs/<jobId>/` (inputs, output,
 * temporaries); deleting a job removes that directory too.
 */
import { existsSync, lstatSync, readdirSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { JOB_ID_PATTERN } from './ids.js';

export const JOBS_DIR = 'jobs';

export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Refusing to touch ${path}: ${reason}.`);
  }
}

export class FileDeletionError extends Error {
  override readonly name = 'FileDeletionError';
  constructor(readonly paths: readonly string[]) {
    super(`Could not delete: ${paths.join(', ')}.`);
  }
}

function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** The absolute path of `p` if it lies strictly inside `dataDir` (also after resolving symlinked parents). */
export function resolveInside(dataDir: string, p: string): string {
  const abs = resolve(dataDir, p);
  if (!isInside(dataDir, abs)) throw new UnsafePathError(p, 'it is outside the data directory');
  let dir = dirname(abs);
  while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
  const real = realpathSync(dir);
  if (real !== dataDir && !isInside(dataDir, real)) throw new UnsafePathError(p, 'a parent directory leads outside the data directory');
  return abs;
}

export function jobDirectory(dataDir: string, jobId: string): string {
  if (!JOB_ID_PATTERN.test(jobId)) throw new UnsafePathError(jobId, 'not a job id');
  return join(dataDir, JOBS_DIR, jobId);
}

/** Removes one file (or symlink, never its target). Returns whether it existed. Verified. */
export function removeFile(dataDir: string, p: string): boolean {
  const abs = resolveInside(dataDir, p);
  if (!exists(abs)) return false;
  if (lstatSync(abs).isDirectory()) throw new UnsafePathError(p, 'it is a directory');
  unlinkSync(abs);
  if (exists(abs)) throw new FileDeletionError([abs]);
  return true;
}

/** Removes a directory tree inside the data directory. Returns how many files it held. Verified. */
export function removeTree(dataDir: string, dir: string): number {
  const abs = resolveInside(dataDir, dir);
  if (!exists(abs)) return 0;
  if (!lstatSync(abs).isDirectory()) return removeFile(dataDir, abs) ? 1 : 0;
  const files = readdirSync(abs, { recursive: true, withFileTypes: true }).filter((d) => !d.isDirectory()).length;
  rmSync(abs, { recursive: true, force: true });
  if (exists(abs)) throw new FileDeletionError([abs]);
  return files;
}

/**
 * Removes a job's files: each stored path, then the job's directory.
 * Returns the number of files removed; throws if anything remains.
 */
export function removeJobFiles(dataDir: string, jobId: string, paths: readonly (string | null)[]): number {
  let removed = 0;
  const failed: string[] = [];
  for (const p of paths) {
    if (p === null) continue;
    try {
      if (removeFile(dataDir, p)) removed += 1;
    } catch (e) {
      if (e instanceof FileDeletionError) failed.push(...e.paths);
      else throw e;
    }
  }
  removed += removeTree(dataDir, jobDirectory(dataDir, jobId));
  if (failed.length > 0) throw new FileDeletionError(failed);
  return removed;
}
