import { cpSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { tempDir } from './temp-dir.js';

/**
 * A models folder (removed with the test file) holding the demo model as `default` and a copy named `broken` whose
 * generator is truncated: its jobs fail when the model is loaded.
 */
export function modelsWithBrokenCopy(): string {
  const models = tempDir('marionette-models-');
  cpSync(join(REPO_ROOT, 'models', 'default'), join(models, 'default'), { recursive: true });
  cpSync(join(REPO_ROOT, 'models', 'default'), join(models, 'broken'), { recursive: true });
  const manifest = join(models, 'broken', 'manifest.json');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"name": "default"', '"name": "broken"'));
  truncateSync(join(models, 'broken', 'generator.onnx'), 1000);
  return models;
}
