import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident memory of the CLI process (VmHWM), when measured. */
  readonly peakRssMb: number | null;
}

/** Runs the real CLI (bin/marionette.js → dist) as a user would. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; measureRss?: boolean } = {},
): Promise<CliResult> {
  const rssDir = options.measureRss ? mkdtempSync(join(tmpdir(), 'rss-')) : null;
  const rssFile = rssDir ? join(rssDir, 'peak') : null;
  return new Promise((resolve, reject) => {
    const preload = rssFile ? ['--require', join(REPO_ROOT, 'tests', 'support', 'peak-rss-preload.cjs')] : [];
    const child = spawn(process.execPath, [...preload, join(REPO_ROOT, 'bin', 'marionette.js'), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env, ...(rssFile ? { MARIONETTE_PEAK_RSS_FILE: rssFile } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      if (rssDir) rmSync(rssDir, { recursive: true, force: true });
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const peakRssMb = rssFile && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : null;
      if (rssDir) rmSync(rssDir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, peakRssMb });
    });
  });
}
