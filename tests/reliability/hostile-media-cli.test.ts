import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { readFramesRgb } from '../../src/engine/media/encode.js';
import { runCli } from '../support/cli.js';
import { buildHostileCorpus, CANARY, type CorpusItem } from '../support/hostile-corpus.js';
import { probe } from '../support/ffprobe.js';
import { angleDiff, measureShape } from '../support/shape-measure.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The hostile-media corpus through the CLI: each file is refused with one
 * sentence (exit 2) or animated correctly, within a bounded time (a hang fails
 * the run) and bounded memory (the CLI process's peak RSS stays under 1 GB; a
 * normal run takes about 250 MB), and nothing from the canary file ever appears.
 */
const dir = tempDir();
let corpus: Awaited<ReturnType<typeof buildHostileCorpus>>;
beforeAll(async () => {
  corpus = await buildHostileCorpus(dir);
}, 180_000);

const cases = () => corpus.items;

describe('hostile media through marionette animate', () => {
  it('GIVEN each item of the corpus THEN a one-sentence refusal or a correct clip, in bounded time and memory, and no canary', async () => {
    for (const item of cases()) {
      const out = join(dir, `out-${item.name}.mkv`);
      const args = item.role === 'photo' ? ['--source', item.file, '--driving', corpus.video] : ['--source', corpus.photo, '--driving', item.file];
      const started = Date.now();
      const r = await runCli(['animate', ...args, '--out', out, '--no-label'], { timeoutMs: 60_000, measureRss: true });
      const seconds = (Date.now() - started) / 1000;
      const where = `${item.name} as the ${item.role} (exit ${r.code}, ${seconds.toFixed(1)} s): ${r.stderr}`;
      expect(r.stdout + r.stderr, where).not.toContain(CANARY);
      expect(r.peakRssMb, where).not.toBeNull();
      expect(r.peakRssMb!, where).toBeLessThan(1024);
      if (item.refusal) {
        expect(r.code, where).toBe(2);
        expect(r.stderr.trim(), where).toMatch(item.refusal);
        expect(r.stderr.trim().split('\n'), where).toHaveLength(1);
        expect(existsSync(out), where).toBe(false);
      } else {
        expect(r.code, where).toBe(0);
        expect(probe(out).video?.frames, where).toBe(item.frames);
        expect(readFileSync(out).includes(CANARY)).toBe(false);
      }
    }
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('GIVEN a video with rotation metadata THEN it is animated as it displays (rotated), not as stored', async () => {
    // Stored, frame 0 shows the shape pointing right (+x); the tkhd matrix rotates it 90° clockwise for display,
    // so it points down (+y). In absolute mode the photo's shape takes the displayed pose.
    const { ffprobe } = resolveFfmpeg();
    const rotation = execFileSync(ffprobe, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream_side_data=rotation',
      '-of',
      'csv=p=0',
      join(dir, 'rotated.mp4'),
    ])
      .toString()
      .trim();
    expect(rotation).toBe('-90');
    const out = join(dir, 'rotated-absolute.mkv');
    const r = await runCli(['animate', '--source', corpus.photo, '--driving', join(dir, 'rotated.mp4'), '--out', out, '--no-label', '--mode', 'absolute']);
    expect(r.code, r.stderr).toBe(0);
    const frames = await readFramesRgb(out);
    const first = measureShape(frames.subarray(0, 256 * 256 * 3), 256, 256);
    expect(Math.abs(angleDiff(first.angle, Math.PI / 2))).toBeLessThan(0.15);
  });
});

export type { CorpusItem };
