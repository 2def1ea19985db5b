import { copyFileSync, cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { InputError, withoutPaths } from '../../src/engine/errors.js';
import { readModelFolder } from '../../src/engine/model/model-folder.js';
import { ModelRunner } from '../../src/engine/worker/model-runner.js';
import { runCli, REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/** A model folder that breaks the contract is refused with one sentence naming what is wrong (CLI exit 2). */
const dir = tempDir();
const demo = join(REPO_ROOT, 'models', 'default');
const photo = join(dir, 'photo.png');
const video = join(dir, 'video.mp4');

function folder(name: string, change: (path: string) => void): string {
  const path = join(dir, name);
  cpSync(demo, path, { recursive: true });
  change(path);
  return path;
}

beforeAll(async () => {
  await writeShapeImage(photo, 128, 128, { cx: 0, cy: 0, angle: 0, scale: 1 });
  await writeShapeVideo(video, { width: 128, height: 128, fps: 10, frames: 5, pose: () => ({ cx: 0, cy: 0, angle: 0, scale: 1 }) });
});

describe('model folders', () => {
  it.each([
    [
      'missing',
      () => join(dir, 'nowhere'),
      /^The model folder .*nowhere does not exist; give a folder with manifest.json, kp_detector.onnx and generator.onnx\.$/,
    ],
    [
      'no generator',
      () => folder('no-gen', (p) => writeFileSync(join(p, 'generator.onnx'), '')),
      /^The model folder .*no-gen is missing generator\.onnx \(or they are empty\)\.$/,
    ],
    [
      'manifest not JSON',
      () => folder('bad-json', (p) => writeFileSync(join(p, 'manifest.json'), '{ name: default')),
      /^The model manifest .*manifest\.json is not valid JSON/,
    ],
    [
      'newer manifest format',
      () => folder('newer', (p) => writeFileSync(join(p, 'manifest.json'), JSON.stringify({ formatVersion: 2 }))),
      /^The model manifest .*manifest\.json has formatVersion 2, but this Marionette reads version 1\.$/,
    ],
    [
      'bad name',
      () => folder('bad-name', (p) => writeFileSync(join(p, 'manifest.json'), JSON.stringify({ ...demoManifest(), name: 'Vox Celeb!' }))),
      /^The model manifest .* has name "Vox Celeb!"; use lowercase letters/,
    ],
  ])('GIVEN %s THEN one sentence', async (_, make, message) => {
    await expect(readModelFolder(make())).rejects.toThrow(message);
  });

  it('GIVEN a broken model folder THEN messages name the folder, never its path (they reach users); the context keeps the path', async () => {
    for (const make of [() => join(dir, 'nowhere'), () => folder('no-gen-2', (p) => writeFileSync(join(p, 'generator.onnx'), ''))]) {
      const e = (await readModelFolder(make()).catch((err: unknown) => err)) as InputError;
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).not.toContain(dir);
      expect(String(e.context['dir'])).toContain(dir);
    }
  });

  it('GIVEN text from another library THEN withoutPaths keeps only the last part of each absolute path', () => {
    expect(withoutPaths('Load model from /srv/marionette/models/x/generator.onnx failed:Protobuf parsing failed.')).toBe(
      'Load model from generator.onnx failed:Protobuf parsing failed.',
    );
    expect(withoutPaths('cuda: /usr/lib/x86_64-linux-gnu/libcuda.so.1: cannot open')).toBe('cuda: libcuda.so.1: cannot open');
    expect(withoutPaths('C:\\Models\\x\\kp_detector.onnx is bad')).toBe('kp_detector.onnx is bad');
    // Not paths: URLs, fractions, relative names.
    expect(withoutPaths('see https://onnxruntime.ai/docs/x, 1/2, N/A, models/default')).toBe('see https://onnxruntime.ai/docs/x, 1/2, N/A, models/default');
  });

  it("GIVEN ONNX files onnxruntime cannot load THEN the refusal names the folder, not the server path, nor the paths in onnxruntime's reasons", async () => {
    const broken = folder('broken', (p) => truncateSync(join(p, 'generator.onnx'), 1000));
    const e = (await ModelRunner.open(await readModelFolder(broken), { device: 'cpu', cpuThreads: 1 }).catch((err: unknown) => err)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^The model in the folder broken could not be loaded by onnxruntime \(cpu: .+\); the ONNX files may be damaged\.$/);
    expect(e.message).not.toContain(dir);
    expect(e.message).not.toMatch(/\/[\w.-]+\//); // no path at all
    expect(e.context['dir']).toBe(broken);
    expect(JSON.stringify(e.context['rejected'])).toContain('generator.onnx');
  });

  it('GIVEN ONNX files that do not follow the contract (the two networks swapped) THEN the CLI says which inputs are missing and exits 2', async () => {
    const swapped = folder('swapped', (p) => {
      copyFileSync(join(demo, 'generator.onnx'), join(p, 'kp_detector.onnx'));
      copyFileSync(join(demo, 'kp_detector.onnx'), join(p, 'generator.onnx'));
    });
    const r = await runCli(['animate', '--source', photo, '--driving', video, '--out', join(dir, 'out.mp4'), '--model', swapped, '--device', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^The model's kp_detector\.onnx outputs in .*swapped lacks kp_value, kp_jacobian \(it does not follow the model-folder contract\)\.$/,
    );
  });

  it('GIVEN no working ffmpeg THEN a configuration error (exit 78): one sentence naming the ways to provide it, no stack trace', async () => {
    mkdirSync(join(dir, 'empty-bin'), { recursive: true });
    const r = await runCli(['animate', '--source', photo, '--driving', video, '--out', join(dir, 'out2.mp4')], {
      env: { PATH: join(dir, 'empty-bin'), FFMPEG_PATH: '/nonexistent/ffmpeg' },
    });
    expect(r.code).toBe(78);
    expect(r.stderr.trim()).toMatch(
      /^marionette animate: No working ffmpeg was found: set FFMPEG_PATH .*ffmpeg-static.*on PATH \(Debian\/Ubuntu: npm run setup, or sudo apt-get install -y ffmpeg\)\.$/,
    );
    expect(r.stderr).not.toMatch(/internal error|stack|\n\s+at /);
  });
});

function demoManifest(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}
