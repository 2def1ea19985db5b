import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { CancelledError, Engine } from '../../src/engine/index.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir();
const engine = new Engine({ device: 'cpu' });
afterAll(() => engine.dispose());
const photo = join(dir, 'photo.png');
const driving = join(dir, 'driving.mp4');
const FRAMES = 240;

beforeAll(async () => {
  await writeShapeImage(photo, 256, 256, { cx: 0, cy: 0, angle: 0, scale: 1 });
  await writeShapeVideo(driving, {
    width: 256,
    height: 256,
    fps: 24,
    frames: FRAMES,
    pose: (i) => ({ cx: 0.3 * Math.sin(i / 9), cy: 0, angle: i / 30, scale: 1 }),
  });
});

describe('cancellation', () => {
  it('GIVEN an abort while generating THEN animate rejects with CancelledError before the end, and no output or partial file remains', async () => {
    const controller = new AbortController();
    const output = join(dir, 'cancelled.mp4');
    let lastDone = 0;
    const run = engine.animate({
      source: photo,
      driving,
      output,
      batchSize: 2,
      signal: controller.signal,
      onProgress: (p) => {
        lastDone = p.framesDone;
        if (p.phase === 'generating' && p.framesDone >= 20) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(lastDone).toBeLessThan(FRAMES);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('GIVEN an already aborted signal THEN nothing starts', async () => {
    await expect(engine.animate({ source: photo, driving, output: join(dir, 'never.mp4'), signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      CancelledError,
    );
  });

  it('GIVEN a cancelled job THEN the same engine runs the next job to completion', async () => {
    const result = await engine.animate({ source: photo, driving, output: join(dir, 'after.mp4'), audio: false });
    expect(result.frames).toBe(FRAMES);
  });
});

describe('cancellation before generation', () => {
  it('GIVEN an abort while the inputs are being probed THEN CancelledError, not the abort reason', async () => {
    const controller = new AbortController();
    const run = engine.animate({ source: photo, driving, output: join(dir, 'early.mp4'), signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});
