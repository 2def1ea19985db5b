import { mkdirSync, mkdtempSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GENERATOR_FILE, KP_DETECTOR_FILE, MANIFEST_FILE } from '../engine/model/manifest.js';

/**
 * Where a conversion writes: a hidden folder beside the output (`.vox.converting-…`, never listed as a model;
 * the same file system, so publishing is a rename). The model is moved into the output only after it has been
 * checked, so a failed or interrupted conversion leaves a model already there — one a running bot may be
 * serving — exactly as it was.
 */
export interface Staging {
  readonly dir: string;
  /** Where the converter writes the model: a folder named as the output, inside `dir`. */
  readonly model: string;
  /** The output's parent and the folders above it that were created for it (innermost first). */
  readonly created: readonly string[];
}

/** A fresh staging folder beside `out`; throws the mkdir error. */
export function makeStaging(out: string): Staging {
  const parent = dirname(resolve(out));
  const first = mkdirSync(parent, { recursive: true });
  const created: string[] = [];
  if (first !== undefined) for (let d = parent; d.length >= first.length; d = dirname(d)) created.push(d);
  const dir = mkdtempSync(join(parent, `.${basename(resolve(out))}.converting-`));
  return { dir, model: join(dir, basename(resolve(out))), created };
}

/** Removes the staging folder and, when nothing was published, the empty folders made for it. */
export function removeStaging(staging: Staging, published: boolean): void {
  rmSync(staging.dir, { recursive: true, force: true });
  if (published) return;
  for (const dir of staging.created) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty: something else lives there now
    }
  }
}

/**
 * Moves the checked model into `out`: a new folder is renamed into place at once; into an existing one the
 * networks go first and the manifest last (each file replaced atomically).
 */
export function publish(staging: Staging, out: string): void {
  if (statSync(out, { throwIfNoEntry: false }) === undefined) {
    renameSync(staging.model, out);
    return;
  }
  for (const file of [KP_DETECTOR_FILE, GENERATOR_FILE, MANIFEST_FILE]) renameSync(join(staging.model, file), join(out, file));
}
