import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFramesRgb } from '../../src/engine/media/encode.js';
import { placeLabel } from '../../src/engine/media/label/label.js';
import { REPO_ROOT } from '../support/cli.js';
import { probe, type Probed } from '../support/ffprobe.js';
import { expectLabel } from '../support/label-check.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The README's first command, `npm run demo`, for real. The demo always writes
 * into the project's own data/demo, so it runs in a copy of what it needs (the
 * package.json, bin/, the built dist/, models/default, and node_modules linked),
 * leaving this checkout's data/ alone. About 5 seconds.
 */
const root = tempDir('marionette-demo-');
const demo = join(root, 'data', 'demo');
let run: { stdout: string; stderr: string };
let clip: Probed;

beforeAll(async () => {
  cpSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(REPO_ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  mkdirSync(join(root, 'models'));
  cpSync(join(REPO_ROOT, 'models', 'default'), join(root, 'models', 'default'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  // Exactly as the README says.
  run = await promisify(execFile)('npm', ['run', 'demo'], { cwd: root, timeout: 120_000, encoding: 'utf8' });
  clip = probe(join(demo, 'demo.mp4'));
}, 150_000);

describe('npm run demo', () => {
  it('GIVEN a fresh checkout THEN it writes data/demo/demo.mp4 and its inputs and contact sheet, and says so', () => {
    expect(run.stdout).toMatch(/Demo written to data\/demo\/demo\.mp4 \(100 frames, 4\.0 s, model "default" on \w+/);
    for (const file of ['demo.mp4', 'demo-sheet.png', 'photo.png', 'driving.mp4']) expect(existsSync(join(demo, file)), file).toBe(true);
  });

  it("GIVEN the clip THEN 100 frames at 25 fps of H.264, with the driving video's tone as AAC cut to the last frame", () => {
    expect(clip.video).toMatchObject({ codec: 'h264', frames: 100, rate: '25/1' });
    expect(clip.audio?.codec).toBe('aac');
    expect(Math.abs(clip.audio!.seconds - 4)).toBeLessThan(0.1);
    expect(Math.abs(clip.seconds - 4)).toBeLessThan(0.1);
  });

  it('GIVEN the clip THEN it says it is AI-generated: the burned-in label in its frames and the metadata tags', async () => {
    await expectLabel(join(demo, 'demo.mp4'));
    expect(clip.formatTags['ai_generated']).toBe('true');
    expect(clip.formatTags['comment']).toMatch(/^AI-generated with Marionette .*model "default"/);
  });

  it("GIVEN the clip THEN the photo's green sprite really moves: it travels and changes size across the frames", async () => {
    const { width, height } = clip.video!;
    const raw = await readFramesRgb(join(demo, 'demo.mp4'));
    const frameBytes = width * height * 3;
    const { x: lx, y: ly } = placeLabel(width, height);
    const seen: Array<{ area: number; x: number; y: number }> = [];
    for (let f = 0; f < raw.length / frameBytes; f++) {
      let area = 0;
      let sx = 0;
      let sy = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (x >= lx && y >= ly) continue; // not the label
          const o = f * frameBytes + (y * width + x) * 3;
          const [r, g, b] = [raw[o]!, raw[o + 1]!, raw[o + 2]!];
          if (g > r + 60 && g > b + 30) {
            area++;
            sx += x;
            sy += y;
          }
        }
      }
      expect(area, `frame ${f}: the sprite is there`).toBeGreaterThan(500);
      seen.push({ area, x: sx / area, y: sy / area });
    }
    const range = (v: number[]) => Math.max(...v) - Math.min(...v);
    expect(range(seen.map((s) => s.x))).toBeGreaterThan(20);
    expect(range(seen.map((s) => s.y))).toBeGreaterThan(20);
    const areas = seen.map((s) => s.area);
    expect(Math.max(...areas) / Math.min(...areas)).toBeGreaterThan(1.2);
  });
});

describe('npm run demo on a machine without ffmpeg', () => {
  it('GIVEN no ffmpeg on PATH THEN a configuration error (exit 78): one sentence naming the install command, no stack trace', async () => {
    const bare = tempDir('marionette-demo-bare-');
    // PATH keeps node, npm and the shell npm runs scripts with, and nothing else: a folder of links to those alone.
    const bin = join(bare, 'bin');
    mkdirSync(bin);
    for (const tool of ['node', 'npm', 'sh']) {
      const found = await promisify(execFile)('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
      symlinkSync(found.stdout.trim(), join(bin, tool));
    }
    const failed = await promisify(execFile)('npm', ['run', '--silent', 'demo'], {
      cwd: root,
      timeout: 60_000,
      encoding: 'utf8',
      env: { ...process.env, PATH: bin, FFMPEG_PATH: '', FFPROBE_PATH: '' },
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(78);
    expect(failed!.stderr.trim()).toMatch(
      /^marionette demo: No working ffmpeg was found: .*\(Debian\/Ubuntu: npm run setup, or sudo apt-get install -y ffmpeg\)\.$/,
    );
    expect(failed!.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 60_000);
});
