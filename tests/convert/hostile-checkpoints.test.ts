/**
 * Files a user could be handed as "checkpoints", through `marionette convert --config vox` (the TypeScript
 * converter): each is refused with exit code 2 and one sentence, nothing runs from it, nothing is allocated for
 * the sizes it states, and nothing is written to the models folder (no model, no staging folder).
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessAvailable } from '../support/ci.js';
import { convert, makeHostileCheckpoint, makeRandomCheckpoint, runPython, NO_PYTHON, PYTHON_READY, type HostileKind } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

let work: string;
const marker = () => join(work, 'PWNED');
const file = (name: string) => join(work, name);

beforeAll(async () => {
  work = tempDir('marionette-convert-hostile-');
  if (!PYTHON_READY) return;
  const kinds: HostileKind[] = ['os-system', 'os-system-zip', 'zip-outside', 'huge-tensor-legacy', 'huge-tensor-zip', 'torchscript'];
  for (const kind of kinds) await makeHostileCheckpoint(kind, file(`${kind}.pth`), marker());
  await makeRandomCheckpoint('small', file('legacy.pth.tar'), { optimizerMoments: false });
  await makeRandomCheckpoint('small', file('zip.pth.tar'), { optimizerMoments: false, format: 'zip' });
  const legacy = await readFile(file('legacy.pth.tar'));
  const zip = await readFile(file('zip.pth.tar'));
  // Cut inside the pickle, inside the tensors' data, and a zip archive short of its central directory.
  await writeFile(file('truncated-in-pickle.pth.tar'), legacy.subarray(0, 20_000));
  await writeFile(file('truncated-in-data.pth.tar'), legacy.subarray(0, Math.floor(legacy.length * 0.6)));
  await writeFile(file('truncated-zip.pth.tar'), zip.subarray(0, Math.floor(zip.length * 0.6)));
  const made = await runPython([
    '-c',
    'import sys, torch\nnet = torch.nn.Conv2d(3, 4, 3)\ntorch.save({"state_dict": net.state_dict(), "epoch": 3}, sys.argv[1])',
    file('classifier.pth'),
  ]);
  expect(made.code, made.stderr).toBe(0);
}, 180_000);

describe.skipIf(noPython)('GIVEN a hostile or broken checkpoint WHEN marionette convert --config vox reads it', () => {
  it.each([
    [
      'a pickle that would call os.system (legacy format)',
      'os-system.pth',
      /holds Python objects other than weights \(posix\.system\), so it is not an official/,
    ],
    [
      'a pickle that would call os.system (zip format)',
      'os-system-zip.pth',
      /holds Python objects other than weights \(posix\.system\), so it is not an official/,
    ],
    [
      'a zip archive with an entry outside itself',
      'zip-outside.pth',
      /is a zip archive with an entry outside itself \(archive\/\.\.\/\.\.\/outside\.sh\), so it was not opened\.$/,
    ],
    [
      'a tensor stated larger than the file (legacy)',
      'huge-tensor-legacy.pth',
      /is truncated or damaged: a tensor states 4\.4 TB of data where the file holds 16 bytes/,
    ],
    [
      'a tensor stated larger than its zip entry',
      'huge-tensor-zip.pth',
      /is truncated or damaged: a tensor states 4\.4 TB of data where the file holds 16 bytes/,
    ],
    [
      'a TorchScript archive',
      'torchscript.pth',
      /is a TorchScript program, not a checkpoint of weights, so it was not opened \(loading it would run its code\)/,
    ],
    [
      'a checkpoint cut inside its pickle',
      'truncated-in-pickle.pth.tar',
      /is truncated: it ends before the data it states, so it is not a complete checkpoint/,
    ],
    ['a checkpoint cut inside its tensors', 'truncated-in-data.pth.tar', /is truncated or damaged: a tensor states .* of data where the file holds/],
    ['a zip checkpoint cut short', 'truncated-zip.pth.tar', /is truncated: it ends before the data it states/],
    [
      'a checkpoint of another network',
      'classifier.pth',
      /is not a First Order Motion Model checkpoint: it has no kp_detector or generator weights \(its top-level keys: epoch, state_dict\)\.$/,
    ],
  ])('%s THEN exit 2, one sentence naming the file, nothing written', async (_label, name, sentence) => {
    const models = join(work, `models-${name}`);
    const result = await convert(['--checkpoint', file(name), '--config', 'vox', '--out', join(models, 'vox')]);
    const stderr = result.stderr.trim();
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(stderr).toMatch(sentence);
    expect(stderr.startsWith(file(name))).toBe(true);
    expect(stderr).not.toContain('\n');
    expect(existsSync(models) ? readdirSync(models) : []).toEqual([]);
    expect(existsSync(marker())).toBe(false);
  });
});
