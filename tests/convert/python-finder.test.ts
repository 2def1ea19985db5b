import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CONFIGS } from '../../src/convert/builtin-configs.js';
import { converterRoot } from '../../src/convert/converter-location.js';
import { findPython, pythonCandidates } from '../../src/convert/python-finder.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { CONVERTER_ROOT, NO_PYTHON, python, PYTHON_READY, runPython } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

let work: string;
let withoutTorch: string;
let withTorch: string;
let realPython: string;

beforeAll(async () => {
  work = tempDir('marionette-python-finder-');
  // A python3 that lacks torch (like a pyenv Python first on PATH), and one that has it.
  withoutTorch = join(work, 'bare');
  withTorch = join(work, 'good');
  await mkdir(withoutTorch);
  await mkdir(withTorch);
  await writeFile(join(withoutTorch, 'python3'), '#!/bin/sh\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n');
  await chmod(join(withoutTorch, 'python3'), 0o755);
  if (noPython) return;
  realPython = (await python()).executable;
  await symlink(realPython, join(withTorch, 'python3'));
}, 120_000);

describe.skipIf(noPython)('findPython', () => {
  it('skips a python3 without torch and takes the next one on PATH', async () => {
    const found = await findPython({ env: { PATH: `${withoutTorch}:${withTorch}` }, fallbacks: [] });
    expect(found.executable).toBe(join(withTorch, 'python3'));
    expect(found.versions).toMatch(/^python 3\.\d+\.\d+, torch \S+, onnx \S+$/);
  });

  it('falls back to the system locations after PATH', async () => {
    const found = await findPython({ env: { PATH: withoutTorch }, fallbacks: [realPython] });
    expect(found.executable).toBe(realPython);
  });

  it('uses MARIONETTE_PYTHON first', async () => {
    const found = await findPython({ env: { PATH: withoutTorch, MARIONETTE_PYTHON: realPython }, fallbacks: [] });
    expect(found.executable).toBe(realPython);
  });

  it('explains what to install when no Python has torch', async () => {
    await expect(findPython({ env: { PATH: withoutTorch }, fallbacks: [] })).rejects.toThrow(
      `The converter needs Python 3 with PyTorch and ONNX, and none was found (tried ${join(withoutTorch, 'python3')}): install ` +
        `python3-torch python3-onnx python3-yaml (Debian) or pip install torch onnx pyyaml, or set MARIONETTE_PYTHON to a Python that has them.`,
    );
  });

  it('names the failing MARIONETTE_PYTHON', async () => {
    await expect(findPython({ env: { MARIONETTE_PYTHON: join(withoutTorch, 'python3') } })).rejects.toThrow(
      /^MARIONETTE_PYTHON is set to .*python3, which cannot run the converter \(ModuleNotFoundError: No module named 'torch'\); install/,
    );
  });

  it('lists each real executable once, PATH order first', () => {
    const candidates = pythonCandidates(`${withoutTorch}:${withTorch}:${withoutTorch}`, [join(withTorch, 'python3'), '/nonexistent/python3']);
    expect(candidates).toEqual([join(withoutTorch, 'python3'), join(withTorch, 'python3')]);
  });
});

it('finds the converter package from src/', () => {
  expect(converterRoot()).toBe(CONVERTER_ROOT.replace(/\/$/, ''));
});

it.skipIf(noPython)('knows the same built-in config names as the Python converter', async () => {
  const result = await runPython(['-c', 'from marionette_convert.configs import BUILTIN_NAMES; print(",".join(BUILTIN_NAMES))']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout.trim().split(',')).toEqual([...BUILTIN_CONFIGS]);
});
