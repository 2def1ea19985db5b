import { rename, rm, stat } from 'node:fs/promises';
import { EngineError } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { inputArgs } from './input-policy.js';
import { runProcess } from './process.js';
import { MAX_FIT_ATTEMPTS, firstFitAttempt, nextFitAttempt, type FitAttempt, type FitInput } from './fit-plan.js';

/**
 * Makes an MP4 fit an upload limit by re-encoding it (H.264 + AAC, faststart),
 * keeping its metadata (the AI-generated tags) and, being a re-encode of the
 * labelled frames, the burned-in label. Returns the final size, or null when
 * it cannot be made small enough.
 */
export async function fitClipToLimit(path: string, info: FitInput, signal?: AbortSignal): Promise<{ bytes: number; attempts: number } | null> {
  const size = (await stat(path)).size;
  if (size <= info.limitBytes) return { bytes: size, attempts: 0 };
  const { ffmpeg } = resolveFfmpeg();
  const temp = `${path}.fit.mp4`;
  let attempt: FitAttempt | null = firstFitAttempt(info);
  try {
    for (let n = 1; attempt && n <= MAX_FIT_ATTEMPTS; n++) {
      const args = [
        '-v',
        'error',
        '-nostdin',
        ...inputArgs(path, 'video', 'mov'),
        '-map',
        '0:v:0',
        ...(attempt.audioBitrate !== null ? ['-map', '0:a:0?', '-c:a', 'aac', '-b:a', String(attempt.audioBitrate)] : ['-an']),
        '-vf',
        `scale=${attempt.width}:${attempt.height}:flags=lanczos`,
        '-c:v',
        'libx264',
        '-preset',
        'medium',
        '-b:v',
        String(attempt.videoBitrate),
        '-maxrate',
        String(Math.round(attempt.videoBitrate * 1.1)),
        '-bufsize',
        String(attempt.videoBitrate),
        '-pix_fmt',
        'yuv420p',
        '-fps_mode',
        'passthrough',
        '-map_metadata',
        '0',
        '-movflags',
        '+faststart+use_metadata_tags',
        '-f',
        'mp4',
        '-y',
        temp,
      ];
      const r = await runProcess(ffmpeg, args, { timeoutMs: 300_000, signal });
      if (r.code !== 0) throw new EngineError(`re-encoding to fit the upload limit failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
      const produced = (await stat(temp)).size;
      if (produced <= info.limitBytes) {
        await rename(temp, path);
        return { bytes: produced, attempts: n };
      }
      attempt = nextFitAttempt(info, attempt, produced);
    }
    return null;
  } finally {
    await rm(temp, { force: true });
  }
}
