import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { EngineError, InputError } from '../../src/engine/errors.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * An ffprobe killed by someone else (the OOM killer, a service manager stopping every process) says nothing about
 * the member's file: the probe fails with an EngineError (the job is retried, or handed back while the bot stops),
 * never the InputError that calls the video damaged. A stand-in ffprobe answers -version and kills itself otherwise;
 * set before this file's first ffmpeg lookup (it is cached per process, and each test file has its own).
 */
const dir = tempDir();
const realFfprobe = execFileSync('sh', ['-c', 'command -v ffprobe']).toString().trim();
const standIn = join(dir, 'ffprobe');
writeFileSync(standIn, `#!/bin/sh\ncase " $* " in *" -version "*) exec "${realFfprobe}" "$@";; esac\nkill -KILL $$\n`);
chmodSync(standIn, 0o755);
process.env['FFPROBE_PATH'] = standIn;

describe('probing a file', () => {
  it('GIVEN ffprobe killed by a signal THEN an EngineError, not "damaged"', async () => {
    const video = join(dir, 'clip.mp4');
    await writeShapeVideo(video, { width: 64, height: 64, fps: 10, frames: 5, audio: false, pose: () => ({ cx: 0, cy: 0, angle: 0, scale: 1 }) });
    const error = await probeMedia(video, 'video', DEFAULT_LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).not.toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^ffprobe was stopped by a signal while reading the driving video \(SIGKILL\)$/);
  });
});
