import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { EngineError, InputError } from '../../src/engine/errors.js';
import { centredCrop } from '../../src/engine/media/crop.js';
import { decodeVideoFrames } from '../../src/engine/media/decode.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { descendants } from '../support/bot-process.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * ffmpeg stopped by a signal someone else sent (a service manager stopping every process of the bot, a kill) is not
 * a damaged video: the decoder says so with an EngineError (retried, or handed back while the bot stops), never the
 * InputError that fails a job for good and blames the member's file.
 */
describe('the driving video decoder', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('GIVEN its ffmpeg gets %s mid-stream THEN an EngineError, not "damaged"', async (signal) => {
    const dir = tempDir();
    const path = join(dir, 'long.mp4');
    await writeShapeVideo(path, {
      width: 160,
      height: 160,
      fps: 25,
      frames: 250,
      audio: false,
      pose: (i) => ({ cx: 0.2 * Math.sin(i / 4), cy: 0, angle: i * 0.08, scale: 1 }),
    });
    const info = await probeMedia(path, 'video', DEFAULT_LIMITS);
    const target = { width: 64, height: 64 };
    let error: unknown = null;
    let batches = 0;
    try {
      for await (const _batch of decodeVideoFrames(path, info, { target, crop: centredCrop, limits: DEFAULT_LIMITS, batchSize: 1 })) {
        batches += 1;
        if (batches === 2) {
          const ffmpeg = descendants(process.pid).filter((pid) => commandName(pid) === 'ffmpeg');
          expect(ffmpeg.length).toBeGreaterThan(0);
          for (const pid of ffmpeg) process.kill(pid, signal);
        }
        await new Promise((r) => setTimeout(r, 20)); // a consumer slower than ffmpeg: the signal lands mid-stream
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect(error).not.toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^ffmpeg was stopped by a signal while decoding/);
  });
});

function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
