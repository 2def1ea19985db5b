import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from '../errors.js';

/**
 * A small typed wrapper over child_process for ffmpeg and ffprobe. We do not use
 * fluent-ffmpeg: it is archived upstream, and we need exact control of input
 * options (protocol and demuxer whitelists), raw pipes with backpressure and
 * prompt cancellation, which are simplest with spawn itself.
 */
export interface RunOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Cap on captured stdout; the process is killed beyond it. */
  readonly maxStdoutBytes?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  /** The last 16 KiB of stderr. */
  readonly stderr: string;
  readonly timedOut: boolean;
}

const STDERR_TAIL = 16 * 1024;

/** Runs a command to completion, capturing stdout and the tail of stderr. */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, cwd: options.cwd });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr = new StderrTail();
    let timedOut = false;
    const kill = () => child.kill('SIGKILL');
    const timer = options.timeoutMs ? setTimeout(() => ((timedOut = true), kill()), options.timeoutMs) : null;
    options.signal?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (options.maxStdoutBytes !== undefined && stdoutBytes > options.maxStdoutBytes) kill();
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new EngineError(`Could not start ${command}: ${e.message}`, { command }, { cause: e }));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: stderr.text(), timedOut });
    });
  });
}

/** Keeps the last few KiB of a process's stderr for error messages. */
export class StderrTail {
  private text_ = '';
  push(chunk: Buffer | string): void {
    this.text_ = (this.text_ + chunk.toString()).slice(-STDERR_TAIL);
  }
  text(): string {
    return this.text_;
  }
}

/** Resolves when a spawned process exits; never rejects (exit details are returned). */
export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}
