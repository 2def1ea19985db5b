/**
 * A converted random-weight model runs through `marionette animate` end to end.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { skipUnlessAvailable } from '../support/ci.js';
import { convert, makeRandomCheckpoint, REPO_ROOT, TEST_CONFIG_DIR, NO_PYTHON, PYTHON_READY } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin', 'marionette.js');

let work: string;
beforeAll(async () => {
  work = tempDir('marionette-convert-e2e-');
});

it.skipIf(noPython)(
  'animates a photo with a converted model via marionette animate',
  async () => {
    const checkpoint = join(work, 'small.pth.tar');
    await makeRandomCheckpoint('small', checkpoint, { seed: 11 });
    const model = join(work, 'models', 'e2e-small');
    const converted = await convert(['--checkpoint', checkpoint, '--config', join(TEST_CONFIG_DIR, 'small.yaml'), '--out', model]);
    expect(converted.code, converted.stdout + converted.stderr).toBe(0);

    const photo = join(work, 'photo.png');
    const driving = join(work, 'driving.mp4');
    const result = join(work, 'result.mp4');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=1', '-frames:v', '1', photo]);
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', driving]);

    await run(process.execPath, [CLI, 'animate', '--source', photo, '--driving', driving, '--out', result, '--model', model], {
      cwd: REPO_ROOT,
      timeout: 300_000,
    });

    const probe = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=codec_type,nb_read_frames',
      '-of',
      'json',
      result,
    ]);
    const stream = (JSON.parse(probe.stdout) as { streams: Array<{ codec_type: string; nb_read_frames: string }> }).streams[0];
    expect(stream?.codec_type).toBe('video');
    expect(Number(stream?.nb_read_frames)).toBeGreaterThanOrEqual(5);
  },
  600_000,
);
