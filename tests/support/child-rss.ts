import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';

/**
 * The peak memory of every ffmpeg and ffprobe the engine starts: FFMPEG_PATH and FFPROBE_PATH point at a
 * small Python wrapper that runs the real binary and records its arguments and peak resident memory
 * (getrusage of the child, so it is exact and costs nothing). Call before the first resolveFfmpeg() of the
 * process (the engine caches what it finds), e.g. at the top of a test file (vitest runs each file in its
 * own process). Linux and macOS with python3; `available` is false elsewhere.
 */
export interface ChildRun {
  readonly tool: 'ffmpeg' | 'ffprobe';
  readonly peakMb: number;
  readonly code: number;
  readonly args: readonly string[];
}

export interface ChildRssProbe {
  readonly available: boolean;
  /** The runs recorded since the last reset, oldest first. */
  runs(): ChildRun[];
  reset(): void;
}

export function measureFfmpegChildren(dir: string): ChildRssProbe {
  const python = spawnSync('python3', ['-c', 'import resource, subprocess, json'], { stdio: 'ignore' });
  const log = join(dir, 'child-rss.jsonl');
  if (python.status !== 0 || process.platform === 'win32') return { available: false, runs: () => [], reset: () => undefined };
  // A fresh env object: the real binaries, found without touching the engine's per-process cache.
  const real = resolveFfmpeg({ ...process.env });
  for (const tool of ['ffmpeg', 'ffprobe'] as const) {
    const wrapper = join(dir, tool);
    writeFileSync(
      wrapper,
      [
        '#!/usr/bin/env python3',
        'import json, resource, subprocess, sys',
        `rc = subprocess.call([${JSON.stringify(real[tool])}] + sys.argv[1:])`,
        "if sys.argv[1:] != ['-hide_banner', '-version']:",
        `    with open(${JSON.stringify(log)}, 'a') as f:`,
        `        f.write(json.dumps({'tool': ${JSON.stringify(tool)}, 'peakKb': ` +
          `resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, 'code': rc, 'args': sys.argv[1:]}) + '\\n')`,
        'sys.exit(rc if rc >= 0 else 128 - rc)',
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
  }
  process.env['FFMPEG_PATH'] = join(dir, 'ffmpeg');
  process.env['FFPROBE_PATH'] = join(dir, 'ffprobe');
  // ru_maxrss is in kilobytes on Linux, bytes on macOS.
  const toMb = (v: number) => (process.platform === 'darwin' ? v / 1024 / 1024 : v / 1024);
  return {
    available: true,
    runs: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .filter((l) => l.length > 0)
            .map((l) => {
              const r = JSON.parse(l) as { tool: 'ffmpeg' | 'ffprobe'; peakKb: number; code: number; args: string[] };
              return { tool: r.tool, peakMb: toMb(r.peakKb), code: r.code, args: r.args };
            })
        : [],
    reset: () => writeFileSync(log, ''),
  };
}
