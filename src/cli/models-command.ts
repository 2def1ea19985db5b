import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { listModelFolders } from '../engine/model/model-folder.js';
import { PROJECT_ROOT } from '../version.js';
import { EXIT_OK, reportError } from './exit-codes.js';
import { UsageError } from './args.js';

/**
 * `marionette models [--dir models]`: the installed model folders and what each is for. Without --dir, the bot's
 * folder (MARIONETTE_MODELS_DIR) if set, else the project's models/.
 */
export async function modelsCommand(argv: readonly string[]): Promise<number> {
  try {
    let dir: string;
    try {
      const { values } = parseArgs({ args: [...argv], options: { dir: { type: 'string' } }, strict: true });
      dir = values.dir ?? (process.env['MARIONETTE_MODELS_DIR'] || join(PROJECT_ROOT, 'models'));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const found = statSync(dir, { throwIfNoEntry: false });
    if (found === undefined) throw new UsageError(`The folder ${dir} does not exist.`);
    if (!found.isDirectory()) throw new UsageError(`${dir} is a file, not a folder of models.`);
    const { models, invalid } = await listModelFolders(dir);
    for (const m of models) {
      const { name, inputSize, numKeypoints, trainedOn, recommendedMode, precision } = m.manifest;
      process.stdout.write(
        `${name.padEnd(14)} ${inputSize.width}×${inputSize.height}, ${numKeypoints} keypoint${numKeypoints === 1 ? '' : 's'}, ` +
          `${recommendedMode}, generator ${precision.generator} — ${trainedOn}\n`,
      );
    }
    for (const bad of invalid) process.stdout.write(`(skipped ${bad.dir}: ${bad.reason})\n`);
    if (models.length === 0) process.stdout.write(`No model folders in ${dir}.\n`);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, 'models', 'Usage: marionette models [--dir <folder>]');
  }
}
