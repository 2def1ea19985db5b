import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Where ffmpeg and ffprobe come from, in this order:
 *   1. FFMPEG_PATH (and FFPROBE_PATH, else an ffprobe beside FFMPEG_PATH)
 *   2. the ffmpeg-static package's binary, when its install could download it
 *   3. `ffmpeg` / `ffprobe` on PATH
 * Each candidate must answer `-version`. The result is cached per process.
 */
export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** Where each came from, for logs. */
  readonly origin: { readonly ffmpeg: string; readonly ffprobe: string };
}

interface Candidate {
  readonly path: string;
  readonly origin: string;
}

let cached: FfmpegBinaries | null = null;

export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  if (cached && env === process.env) return cached;
  const ffmpeg = firstWorking(ffmpegCandidates(env), env);
  const ffprobe = firstWorking(ffprobeCandidates(env, ffmpeg?.path), env);
  if (!ffmpeg || !ffprobe) {
    const missing = !ffmpeg ? 'ffmpeg' : 'ffprobe';
    // ffmpeg-static ships ffmpeg only: it never provides ffprobe, so it is not offered for that.
    const npm = missing === 'ffmpeg' ? ', install the optional npm package ffmpeg-static' : '';
    throw new ConfigError(
      `No working ${missing} was found: set ${missing === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'} to the binary${npm}, or ` +
        `install ffmpeg (which includes ffprobe) on PATH (${ffmpegInstallHint()}).`,
      { missing },
    );
  }
  const result = { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, origin: { ffmpeg: ffmpeg.origin, ffprobe: ffprobe.origin } };
  if (env === process.env) cached = result;
  return result;
}

/** The command that installs ffmpeg and ffprobe on this system. */
export function ffmpegInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS: brew install ffmpeg';
  if (platform === 'win32') return 'Windows: winget install ffmpeg';
  return 'Debian/Ubuntu: npm run setup, or sudo apt-get install -y ffmpeg';
}

function ffmpegCandidates(env: NodeJS.ProcessEnv): Candidate[] {
  const out: Candidate[] = [];
  if (env['FFMPEG_PATH']) out.push({ path: env['FFMPEG_PATH'], origin: 'FFMPEG_PATH' });
  const fromStatic = ffmpegStaticPath();
  if (fromStatic) out.push({ path: fromStatic, origin: 'ffmpeg-static' });
  out.push({ path: 'ffmpeg', origin: 'PATH' });
  return out;
}

function ffprobeCandidates(env: NodeJS.ProcessEnv, ffmpegPath: string | undefined): Candidate[] {
  const out: Candidate[] = [];
  if (env['FFPROBE_PATH']) out.push({ path: env['FFPROBE_PATH'], origin: 'FFPROBE_PATH' });
  if (env['FFMPEG_PATH']) out.push({ path: join(dirname(env['FFMPEG_PATH']), 'ffprobe'), origin: 'beside FFMPEG_PATH' });
  if (ffmpegPath && ffmpegPath.includes('/')) out.push({ path: join(dirname(ffmpegPath), 'ffprobe'), origin: 'beside ffmpeg' });
  out.push({ path: 'ffprobe', origin: 'PATH' });
  return out;
}

function ffmpegStaticPath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const p: unknown = require('ffmpeg-static');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

function firstWorking(candidates: readonly Candidate[], env: NodeJS.ProcessEnv): Candidate | undefined {
  return candidates.find((c) => {
    const r = spawnSync(c.path, ['-hide_banner', '-version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000, env });
    return r.status === 0 && /version/i.test(r.stdout?.toString() ?? '');
  });
}
