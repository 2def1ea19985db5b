import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { converterRoot } from '../../src/convert/converter-location.js';
import { runPythonOrThrow } from './python.js';

/**
 * The benchmark's FOMM model: the published vox-256 architecture with seeded
 * random weights (the converter's testing helper), converted by the converter.
 * Cached under data/bench/fomm/ and rebuilt when the converter's sources change.
 */
export interface SeededModel {
  readonly checkpoint: string;
  readonly config: string;
  readonly modelDir: string;
}

export interface Variant {
  /** Folder name, e.g. "vox", "vox-fp16". */
  readonly name: string;
  /** Extra `convert` options, e.g. ["--fp16"]. */
  readonly convertArgs: readonly string[];
}

/** The model variants the benchmark knows, by folder name. */
export const VARIANTS: Readonly<Record<string, Variant>> = {
  vox: { name: 'vox', convertArgs: [] },
  'vox-fp16': { name: 'vox-fp16', convertArgs: ['--fp16'] },
  // Float16 encoder and decoder, float32 motion estimation, bottleneck and inputs/outputs (for GPUs).
  'vox-mixed': { name: 'vox-mixed', convertArgs: ['--precision', 'mixed'] },
  // Layer for layer: without the converter's inference rewrites and shared source.
  'vox-plain': { name: 'vox-plain', convertArgs: ['--plain'] },
  // The bottleneck's 3×3 convolutions direct rather than by Winograd F(4×4, 3×3).
  'vox-direct': { name: 'vox-direct', convertArgs: ['--no-winograd'] },
};

const SEED = 1;
const CONFIG = 'vox';

export async function ensureSeededModel(root: string, variant: Variant, python: string, log: (line: string) => void): Promise<SeededModel> {
  const stamp = `${converterHash()} seed ${SEED} ${CONFIG} ${variant.convertArgs.join(' ')}`;
  const checkpoint = join(root, `${CONFIG}-seed${SEED}.pth.tar`);
  const checkpointStamp = `${checkpoint}.stamp`;
  if (!existsSync(checkpoint) || readText(checkpointStamp) !== stamp.split(' ')[0]) {
    log(`Writing a seeded random-weight ${CONFIG} checkpoint (${checkpoint})…`);
    await runPythonOrThrow(python, 'marionette_convert.testing', [
      'make-random-checkpoint',
      '--config',
      CONFIG,
      '--out',
      checkpoint,
      '--seed',
      String(SEED),
      '--no-optimizer-moments',
    ]);
    writeFileSync(checkpointStamp, stamp.split(' ')[0]!);
  }
  const modelDir = join(root, variant.name);
  const modelStamp = join(modelDir, '.bench-stamp');
  if (!existsSync(join(modelDir, 'manifest.json')) || readText(modelStamp) !== stamp) {
    log(`Converting it to ${modelDir} ${variant.convertArgs.join(' ')}…`);
    await runPythonOrThrow(python, 'marionette_convert', [
      'convert',
      '--checkpoint',
      checkpoint,
      '--config',
      CONFIG,
      '--out',
      modelDir,
      ...variant.convertArgs,
    ]);
    writeFileSync(modelStamp, stamp);
  }
  return { checkpoint, config: CONFIG, modelDir };
}

/** A hash of the converter's Python sources: a change to any rebuilds the cached model. */
function converterHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      // The reference loop is not part of the conversion.
      if (e.name === '__pycache__' || e.name === 'bench_reference.py') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(py|yaml)$/.test(e.name)) hash.update(e.name).update(readFileSync(p));
    }
  };
  walk(join(converterRoot(), 'marionette_convert'));
  return hash.digest('hex').slice(0, 16);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
