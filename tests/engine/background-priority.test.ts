import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine, inBackground } from '../../src/engine/index.js';
import { runProcess } from '../../src/engine/media/process.js';
import { DEMO_PHOTO_COLOURS } from '../../src/cli/demo-command.js';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A bot's animations run below members' commands: ffmpeg started inside `inBackground` and the inference
 * thread of an Engine made with a niceness run at that niceness; work outside keeps the process's own.
 * Linux reports a thread's niceness in /proc (field 19 of stat).
 */
const linux = process.platform === 'linux';
const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
const childNiceness = async () => Number((await runProcess('sh', ['-c', 'cut -d" " -f19 /proc/$$/stat'])).stdout.toString().trim());

describe.skipIf(!linux)('background priority', () => {
  it('GIVEN work inside inBackground(10) THEN the processes it starts run at niceness 10, and those outside at 0', async () => {
    expect(await inBackground(10, childNiceness)).toBe(10);
    expect(await childNiceness()).toBe(0);
    // Nested awaits keep the context: a process started after other awaits is still background work.
    expect(await inBackground(7, async () => (await new Promise((r) => setTimeout(r, 10)), childNiceness()))).toBe(7);
  });

  it('GIVEN an Engine made with niceness 10 THEN its inference threads run at 10 while the main thread stays at 0', async () => {
    const dir = tempDir('priority-');
    await writeShapeImage(`${dir}/photo.png`, 200, 160, { cx: 0, cy: 0, angle: 0.3, scale: 0.8 }, [], DEMO_PHOTO_COLOURS);
    await writeShapeVideo(`${dir}/driving.mp4`, {
      width: 128,
      height: 128,
      fps: 10,
      frames: 40,
      audio: false,
      pose: (i) => ({ cx: 0.1 * i, cy: 0, angle: 0, scale: 1 }),
    });
    const ticks = () =>
      new Map(
        readdirSync('/proc/self/task').map((t) => {
          const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return [t, { nice: niceOf(stat), cpu: Number(fields[11]) + Number(fields[12]) }];
        }),
      );
    const engine = new Engine({ device: 'cpu', niceness: 10 });
    try {
      const before = ticks();
      await engine.animate({ source: `${dir}/photo.png`, driving: `${dir}/driving.mp4`, output: `${dir}/out.mp4` });
      const after = ticks();
      const busyAtTen = [...after].filter(([t, a]) => a.nice === 10 && a.cpu > (before.get(t)?.cpu ?? 0));
      expect(busyAtTen.length, 'threads at niceness 10 that did work').toBeGreaterThan(0);
      expect(niceOf(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'))).toBe(0);
    } finally {
      await engine.dispose();
    }
  });
});
