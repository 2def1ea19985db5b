import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { Engine, EngineError } from '../../src/engine/index.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The inference worker crashes in the middle of a job (an uncaught exception
 * in the worker thread, injected by the engine's test-only MARIONETTE_FAULT
 * hook on the 3rd batch): the job fails with a clear EngineError and no output,
 * and the same engine runs the next job on a fresh worker.
 */
const dir = tempDir();
let engine: Engine;
const photo = join(dir, 'photo.png');
const driving = join(dir, 'driving.mp4');

beforeAll(async () => {
  process.env['MARIONETTE_FAULT'] = 'worker-crash@3';
  engine = new Engine({ device: 'cpu' });
  await writeShapeImage(photo, 256, 256, { cx: 0, cy: 0, angle: 0, scale: 1 });
  await writeShapeVideo(driving, {
    width: 256,
    height: 256,
    fps: 24,
    frames: 48,
    pose: (i) => ({ cx: 0.3 * Math.sin(i / 9), cy: 0, angle: i / 30, scale: 1 }),
  });
});
afterAll(async () => {
  delete process.env['MARIONETTE_FAULT'];
  await engine.dispose();
});

describe('a worker that crashes', () => {
  it(
    'GIVEN the worker thread dies mid-job THEN the job fails with an EngineError naming it, leaves no output, and the next job ' + 'gets a new worker',
    async () => {
      const output = join(dir, 'crashed.mp4');
      const run = engine.animate({ source: photo, driving, output, batchSize: 4 });
      await expect(run).rejects.toThrow(EngineError);
      await expect(run).rejects.toThrow(/inference worker crashed: injected worker crash/);
      expect(existsSync(output)).toBe(false);
      const result = await engine.animate({ source: photo, driving, output: join(dir, 'revived.mp4'), audio: false });
      expect(result.frames).toBe(48);
    },
  );
});
