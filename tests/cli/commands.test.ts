import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/** The small commands' arguments: help is help everywhere, and nothing runs on an option it does not know. */
describe('marionette demo and models', () => {
  it('GIVEN demo --help THEN its usage, and no demo is run', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: marionette demo\n/);
    expect(r.stderr).not.toMatch(/Drawing a sample photo/);
  });

  it('GIVEN demo with an option THEN refused in one sentence, exit 2, and nothing run', async () => {
    const r = await runCli(['demo', '--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('marionette demo takes no options (got --fast).');
    expect(r.stderr).not.toMatch(/Drawing a sample photo/);
  });

  it('GIVEN models --help THEN its usage', async () => {
    const r = await runCli(['models', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: marionette models \[--dir <folder>\]/);
  });

  it('GIVEN models --dir naming no folder THEN exit 2 and one sentence (not an empty list)', async () => {
    const missing = join(tempDir(), 'nowhere');
    const r = await runCli(['models', '--dir', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The folder ${missing} does not exist.`);
    const file = join(REPO_ROOT, 'package.json');
    const f = await runCli(['models', '--dir', file]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain(`${file} is a file, not a folder of models.`);
  });

  it('GIVEN a conversion staging folder beside the models THEN it is not listed, not even as skipped', async () => {
    const dir = join(tempDir(), 'models');
    mkdirSync(dir);
    cpSync(join(REPO_ROOT, 'models', 'default'), join(dir, 'default'), { recursive: true });
    mkdirSync(join(dir, '.vox.converting-abc123'));
    const r = await runCli(['models', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^default /);
    expect(r.stdout).not.toMatch(/converting|skipped/);
    // Without --dir: the bot's folder, from the environment (the CLI does not read .env).
    const fromEnv = await runCli(['models'], { env: { MARIONETTE_MODELS_DIR: join(dir, 'default') } });
    expect(fromEnv.stdout).toBe(`No model folders in ${join(dir, 'default')}.\n`);
  });
});
