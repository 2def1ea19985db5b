import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** The real bot as a separate process (`npm start`'s entry), or a `marionette worker`, for kill -9 and restart tests. */
export class BotProcess {
  readonly output: string[] = [];
  private constructor(readonly child: ChildProcess) {}

  /** `marionette worker` with these settings (added to this process's environment). */
  static startWorker(env: Record<string, string>): BotProcess {
    return BotProcess.start(env, [join(REPO_ROOT, 'bin', 'marionette.js'), 'worker']);
  }

  static start(env: Record<string, string>, command: readonly string[] = [join(REPO_ROOT, 'dist', 'src', 'bot', 'main.js')]): BotProcess {
    const child = spawn(process.execPath, [...command], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new BotProcess(child);
    child.stdout!.on('data', (c: Buffer) => p.output.push(c.toString()));
    const sample = setInterval(() => p.peakRssMb(), 500);
    child.once('exit', () => clearInterval(sample));
    child.stderr!.on('data', (c: Buffer) => p.output.push(c.toString()));
    return p;
  }

  /** Peak resident memory so far (VmHWM), in MB; the last value seen if the process has exited. */
  peakRssMb(): number {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      if (m) this.lastPeakMb = Number(m[1]) / 1024;
    } catch {
      // exited
    }
    return this.lastPeakMb;
  }

  private lastPeakMb = 0;

  get log(): string {
    return this.output.join('');
  }

  kill9(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /**
   * Sends `signal` to every process of the bot — its ffmpeg children first, then the bot — as a service manager
   * stopping the whole service (systemd's default KillMode) does, or a terminal's Ctrl-C to a foreground job.
   */
  async signalAll(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    for (const pid of descendants(this.child.pid!)) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    this.child.kill(signal);
    return exited;
  }

  signal(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    return exited;
  }

  exited(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }
}

/** Every process below `pid` (from /proc), deepest last. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}
