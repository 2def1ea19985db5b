import { resolveFfmpeg } from '../engine/media/ffmpeg-path.js';
import { runProcess } from '../engine/media/process.js';
import { EngineError } from '../engine/errors.js';

/**
 * A picture of a result: the photo, then every n-th driving frame, then the
 * generated frames at the same moments, one row each (PNG). For README figures
 * and for looking at a run instead of reading numbers.
 */
export async function writeContactSheet(photo: string, driving: string, output: string, path: string, columns = 8, tile = 128): Promise<void> {
  const { ffmpeg, ffprobe } = resolveFfmpeg();
  const counted = await runProcess(ffprobe, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    output,
  ]);
  const frames = Number(counted.stdout.toString().trim());
  if (!(frames > 0)) throw new EngineError(`cannot count the frames of ${output}`);
  const step = Math.max(1, Math.floor(frames / columns));
  const row = (i: number) =>
    `[${i}:v]select='not(mod(n\\,${step}))',scale=${tile}:${tile}:force_original_aspect_ratio=increase,crop=${tile}:${tile},tile=${columns}x1[r${i}]`;
  const filter = [`[0:v]scale=-2:${tile},pad=${columns * tile}:${tile}:0:0:white[r0]`, row(1), row(2), '[r0][r1][r2]vstack=inputs=3'].join(';');
  const r = await runProcess(ffmpeg, ['-v', 'error', '-y', '-i', photo, '-i', driving, '-i', output, '-filter_complex', filter, '-frames:v', '1', path], {
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw new EngineError(`could not draw the contact sheet: ${r.stderr.trim().split('\n').pop() ?? ''}`);
}
