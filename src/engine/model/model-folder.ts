import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { GENERATOR_FILE, KP_DETECTOR_FILE, MANIFEST_FILE, parseManifest, type ModelManifest } from './manifest.js';

/** A model folder checked against the contract (files present, manifest valid); sessions are not opened here. */
export interface ModelFolder {
  readonly dir: string;
  readonly manifest: ModelManifest;
  readonly kpDetectorPath: string;
  readonly generatorPath: string;
}

export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const abs = resolve(dir);
  // Messages name the folder only (they reach users, as the bot's reply); the path is in the context, for logs.
  const name = basename(abs);
  const info = await stat(abs).catch(() => null);
  if (!info?.isDirectory()) {
    throw new InputError('bad-model', `The model folder ${name} does not exist; give a folder with manifest.json, kp_detector.onnx and generator.onnx.`, {
      dir: abs,
    });
  }
  const missing: string[] = [];
  for (const f of [MANIFEST_FILE, KP_DETECTOR_FILE, GENERATOR_FILE]) {
    const s = await stat(join(abs, f)).catch(() => null);
    if (!s?.isFile() || s.size === 0) missing.push(f);
  }
  if (missing.length > 0) {
    throw new InputError('bad-model', `The model folder ${name} is missing ${missing.join(' and ')} (or they are empty).`, { dir: abs, missing });
  }
  const manifest = parseManifest(await readFile(join(abs, MANIFEST_FILE), 'utf8'), `${name}/${MANIFEST_FILE}`);
  return { dir: abs, manifest, kpDetectorPath: join(abs, KP_DETECTOR_FILE), generatorPath: join(abs, GENERATOR_FILE) };
}

/** Every valid model folder directly under `root`, by manifest name; invalid ones are reported, not thrown. */
export async function listModelFolders(root: string): Promise<{ models: ModelFolder[]; invalid: Array<{ dir: string; reason: string }> }> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const models: ModelFolder[] = [];
  const invalid: Array<{ dir: string; reason: string }> = [];
  // Hidden folders are not models: a conversion in progress stages in .<name>.converting-*.
  for (const e of entries.filter((d) => d.isDirectory() && !d.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(root, e.name);
    try {
      models.push(await readModelFolder(dir));
    } catch (err) {
      invalid.push({ dir, reason: (err as Error).message });
    }
  }
  return { models, invalid };
}
