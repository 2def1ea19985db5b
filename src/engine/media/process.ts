import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from '../errors.js';
import { atBackgroundPriority } from './background-priority.js';

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
  /** We killed it: its time ran out, its output passed the cap, or the caller aborted. */
  readonly killedByUs: boolean;
}

const STDERR_TAIL = 16 * 1024;

/** Runs a command to completion, capturing stdout and the tail of stderr. */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = atBackgroundPriority(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, cwd: options.cwd }));
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr = new StderrTail();
    let timedOut = false;
    let killedByUs = false;
    const kill = () => ((killedByUs = true), child.kill('SIGKILL'));
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
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: stderr.text(), timedOut, killedByUs });
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

/**
 * Whether ffmpeg ended because of a signal: killed by one, or — as ffmpeg catches SIGINT and SIGTERM — exiting
 * with 255, its code for "interrupted by a signal" (it says "received signal N" only above `-v error`).
 * (Our own stops go through an abort signal, which callers check first.)
 */
function stoppedBySignal(exit: { code: number | null; signal: NodeJS.Signals | null }, stderr: string): boolean {
  return exit.signal !== null || exit.code === 255 || /received signal \d+/.test(stderr);
}

/**
 * When `tool` was stopped by a signal someone else sent (a service manager stopping every process, the OOM killer,
 * a kill) while `doing` ("while decoding the photo"): an EngineError saying so, for the caller to throw instead of
 * an InputError — the file is not to blame, and the job is retried (or handed back while the bot stops). Else null.
 * Callers rule out their own stops (an abort, a timeout, an output cap) first.
 */
export function signalStopError(
  tool: 'ffmpeg' | 'ffprobe',
  doing: string,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  stderr: string,
  context: Readonly<Record<string, unknown>> = {},
): EngineError | null {
  if (!stoppedBySignal(exit, stderr)) return null;
  return new EngineError(`${tool} was stopped by a signal ${doing} (${exit.signal ?? `exit ${exit.code}`})`, {
    ...context,
    code: exit.code,
    signal: exit.signal,
    stderr: stderr.slice(-500),
  });
}

/** Resolves when a spawned process exits; never rejects (exit details are returned). */
export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

/**
 * Feeds frames to a command on stdin, one at a time with backpressure (they may
 * be drawn lazily), and waits for it to exit; a non-zero exit throws with the
 * last line of its stderr.
 */
export async function pipeToProcess(command: string, args: readonly string[], frames: Iterable<Uint8Array>): Promise<void> {
  const child = atBackgroundPriority(spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] }));
  const stderr = new StderrTail();
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  child.stdin.on('error', () => undefined); // the exit code tells what went wrong
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new EngineError(`Could not start ${command}: ${e.message}`, { command }, { cause: e }))),
  );
  const fed = (async () => {
    for (const frame of frames) {
      if (hasExited(child) || child.stdin.destroyed) break;
      if (!child.stdin.write(frame)) await drainOrExit(child);
    }
    child.stdin.end();
  })();
  const exit = await Promise.race([fed.then(() => waitForExit(child)), failed]);
  if (exit.code !== 0) {
    const last = stderr.text().trim().split('\n').pop() ?? '';
    throw new EngineError(`${command} exited with code ${exit.code ?? exit.signal}: ${last}`, { command, stderr: stderr.text().slice(-1000) });
  }
}

/**
 * Resolves when a child's stdin can take more, or can take nothing any more: the child has exited (also before this
 * call — its 'close' is long past), or the pipe failed or closed (EPIPE). Listeners are removed either way.
 */
export function drainOrExit(child: ChildProcess): Promise<void> {
  const stdin = child.stdin;
  if (!stdin || stdin.destroyed || stdin.writableEnded || hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stdin.off('drain', done).off('error', done).off('close', done);
      child.off('exit', done).off('close', done);
      resolve();
    };
    stdin.on('drain', done).on('error', done).on('close', done);
    child.on('exit', done).on('close', done);
  });
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}
