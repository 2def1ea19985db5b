/**
 * Bad inputs to `marionette convert`: each gets exit code 2 and one sentence on
 * stderr, and nothing is written.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { convert, makeRandomCheckpoint, python, runPython, TEST_CONFIG_DIR, NO_PYTHON, PYTHON_READY } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

let work: string;
let small: string;
let zeroOrder: string;

beforeAll(async () => {
  work = tempDir('marionette-convert-errors-');
  small = join(work, 'small.pth.tar');
  zeroOrder = join(work, 'zero-order.pth.tar');
  await makeRandomCheckpoint('small', small);
  await makeRandomCheckpoint('small-zero-order', zeroOrder);
  await writeFile(join(work, 'random.pth.tar'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  await writeFile(join(work, 'not-fomm.yaml'), 'dataset_params:\n  root_dir: data/x\n');
  await writeFile(join(work, 'a-file'), 'x');
  const made = await runPython([
    '-c',
    [
      'import sys, torch',
      'net = torch.nn.Conv2d(3, 4, 3)',
      'torch.save({"state_dict": net.state_dict(), "epoch": 3}, sys.argv[1])',
      'class Payload:\n    pass',
      'torch.save({"kp_detector": net.state_dict(), "generator": Payload()}, sys.argv[2])',
    ].join('\n'),
    join(work, 'classifier.pth'),
    join(work, 'pickled-object.pth'),
  ]);
  expect(made.code, made.stderr).toBe(0);
}, 120_000);

const out = () => join(work, 'models', 'never');

describe.skipIf(noPython)('marionette convert rejects, with exit code 2 and one sentence,', () => {
  it.each([
    [
      'a missing checkpoint',
      () => ['--checkpoint', join(work, 'nope.pth.tar'), '--config', 'vox', '--out', out()],
      /^The checkpoint .*nope\.pth\.tar does not exist\.$/,
    ],
    [
      'a file that is not a PyTorch checkpoint',
      () => ['--checkpoint', join(work, 'random.pth.tar'), '--config', 'vox', '--out', out()],
      /is not a PyTorch checkpoint/,
    ],
    [
      'a PyTorch file that is not a FOMM checkpoint',
      () => ['--checkpoint', join(work, 'classifier.pth'), '--config', 'vox', '--out', out()],
      /is not a First Order Motion Model checkpoint: it has no kp_detector or generator weights \(its top-level keys: epoch, state_dict\)\.$/,
    ],
    [
      'a checkpoint holding Python objects',
      () => ['--checkpoint', join(work, 'pickled-object.pth'), '--config', 'vox', '--out', out()],
      /holds Python objects other than weights \(__main__\.Payload\)/,
    ],
    [
      'weights that do not fit the config',
      () => ['--checkpoint', small, '--config', 'vox', '--out', out()],
      /^The checkpoint's kp_detector weights do not fit the "vox" config \(.*\); pass the config the checkpoint was trained with\.$/,
    ],
    [
      'a zero-order checkpoint with a first-order config',
      () => ['--checkpoint', zeroOrder, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', out()],
      /do not fit the "small\.yaml" config/,
    ],
    [
      'an unknown config name',
      () => ['--checkpoint', small, '--config', 'voxceleb', '--out', out()],
      /^Unknown config "voxceleb"; use one of vox, vox-adv, taichi, taichi-adv, mgif, fashion, bair, nemo or the path of an official YAML file\.$/,
    ],
    [
      'a missing config file',
      () => ['--checkpoint', small, '--config', join(work, 'vox-256.yaml'), '--out', out()],
      /^The config file .*vox-256\.yaml does not exist\.$/,
    ],
    [
      'a YAML file that is not a FOMM config',
      () => ['--checkpoint', small, '--config', join(work, 'not-fomm.yaml'), '--out', out()],
      /has no model_params section/,
    ],
    [
      'an output name the engine cannot use',
      () => ['--checkpoint', small, '--config', 'vox', '--out', join(work, 'my model')],
      /^The output folder's name "my model" cannot name a model/,
    ],
    ['an output that is a file', () => ['--checkpoint', small, '--config', 'vox', '--out', join(work, 'a-file')], /exists and is not a folder\.$/],
    ['a missing option', () => ['--checkpoint', small, '--config', 'vox'], /^Missing --out \(for example --out models\/vox\)/],
    ['an option without its value', () => ['--checkpoint'], /^The option --checkpoint needs a value/],
    ['an unknown option', () => ['--checkpoint', small, '--config', 'vox', '--out', out(), '--half'], /^Unknown option --half;/],
    ['a stray argument', () => ['vox-cpk.pth.tar'], /^Unexpected argument vox-cpk\.pth\.tar;/],
    [
      'an unknown interleave',
      () => ['--checkpoint', small, '--config', 'vox', '--out', out(), '--upsample-interleave', 'shuffle'],
      /^--upsample-interleave must be stack or depth-to-space, not "shuffle"\.$/,
    ],
  ])('%s', async (_label, argv, message) => {
    const result = await convert(argv());
    const sentence = result.stderr.trim();
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(sentence).toMatch(message);
    expect(sentence).not.toContain('\n');
    expect(sentence).toMatch(/\.$/);
    expect(existsSync(out())).toBe(false);
  });

  it('GIVEN a YAML config and a Python without PyTorch named by MARIONETTE_PYTHON THEN a configuration error (exit 78)', async () => {
    const result = await convert(['--checkpoint', small, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', out()], {
      ...process.env,
      MARIONETTE_PYTHON: join(work, 'no-such-python'),
    });
    expect(result.code).toBe(78);
    expect(existsSync(out())).toBe(false);
    expect(result.stderr.trim()).toMatch(
      /^The config .*small\.yaml is a YAML file, which only the Python converter reads \(the built-in configs need no Python\); MARIONETTE_PYTHON is set to .*no-such-python, which cannot run the converter \(no such program\); install python3-torch python3-onnx python3-yaml \(Debian\) or pip install torch onnx pyyaml, or set MARIONETTE_PYTHON to a Python that has them\.$/,
    );
  });
});

it.skipIf(noPython)('reports an internal failure of the converter with exit code 1 and its details', async () => {
  // A Python that passes the finder's probe but fails as the converter.
  const { executable } = await python();
  const wrapper = join(work, 'failing-python');
  await writeFile(wrapper, `#!/bin/sh\nif [ "$1" = "-c" ]; then exec "${executable}" "$@"; fi\necho "Traceback: something broke" >&2\nexit 1\n`);
  await chmod(wrapper, 0o755);
  const result = await convert(['--checkpoint', small, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', out()], {
    ...process.env,
    MARIONETTE_PYTHON: wrapper,
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('Traceback: something broke\nThe converter exited with code 1; the model was not written.\n');
  expect(existsSync(out())).toBe(false);
});

it.skipIf(noPython)(
  'GIVEN a conversion whose model fails the onnxruntime check THEN the working model already in --out is left as it was',
  async () => {
    const models = join(work, 'checked-models');
    const target = join(models, 'small');
    const good = await convert(['--checkpoint', small, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', target]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^Converted: kp_detector\.onnx \(/m);
    expect(good.stdout).toContain(`Ready: small (64x64, 5 keypoints, generator fp32) in ${target}.`);
    const before = await Promise.all(['kp_detector.onnx', 'generator.onnx', 'manifest.json'].map((f) => readFile(join(target, f))));

    // A Python that converts for real, then damages the generator it wrote (a converter bug, a disk error).
    const { executable } = await python();
    const wrapper = join(work, 'damaging-python');
    await writeFile(
      wrapper,
      `#!/bin/sh\nif [ "$1" = "-c" ]; then exec "${executable}" "$@"; fi\n"${executable}" "$@" || exit $?\n` +
        `for a in "$@"; do case "$a" in --out=*) out="\${a#--out=}";; esac; done\nprintf 'not an onnx file' > "$out/generator.onnx"\n`,
    );
    await chmod(wrapper, 0o755);
    const bad = await convert(['--checkpoint', small, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', target], {
      ...process.env,
      MARIONETTE_PYTHON: wrapper,
    });
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^The converted model failed its check: .*generator\.onnx.* Nothing was written to .*checked-models\/small\.$/s);
    const after = await Promise.all(['kp_detector.onnx', 'generator.onnx', 'manifest.json'].map((f) => readFile(join(target, f))));
    expect(after.map((b, i) => b.equals(before[i]!))).toEqual([true, true, true]);
    expect(readdirSync(models)).toEqual(['small']); // no staging folder left behind
  },
  180_000,
);

it.skipIf(noPython)(
  'GIVEN a rejected conversion into folders that did not exist THEN none of them is left behind',
  async () => {
    const root = join(work, 'fresh');
    const result = await convert(['--checkpoint', join(work, 'classifier.pth'), '--config', 'vox', '--out', join(root, 'models', 'vox')]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(existsSync(root)).toBe(false);
  },
  120_000,
);

it.skipIf(noPython)('prints its usage with --help and exits 0', async () => {
  const result = await convert(['--help']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Usage: marionette convert --checkpoint/);
  expect(result.stdout).toContain('vox, vox-adv, taichi, taichi-adv, mgif, fashion, bair, nemo');
});

it.skipIf(noPython).each([
  ['while the Python converter runs', 'Converting with'],
  ['while onnxruntime checks the converted model', 'Checking the model with onnxruntime'],
])(
  'GIVEN SIGTERM to marionette convert %s THEN it stops, nothing is written, no staging folder is left, exit 130',
  async (_when, line) => {
    const models = join(work, `stopped-models-${line.length}`);
    const out = join(models, 'stopped');
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'marionette.js'), 'convert', '--checkpoint', small, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', out],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      // The converter has just been started (PyTorch takes seconds to import), or the check has just begun (loading
      // two onnxruntime sessions): stop now.
      if (stdout.includes(line) && child.exitCode === null && !child.killed) child.kill('SIGTERM');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stdout + stderr).toBe(130);
    expect(stderr.trim().split('\n').at(-1)).toBe('Interrupted; the model was not written.');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(models) ? readdirSync(models) : []).toEqual([]);
  },
  120_000,
);
