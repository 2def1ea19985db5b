/** Spawning child processes that run the transpiled store. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHILDREN_DIR } from './child-build.js';

export interface Child {
  readonly proc: ChildProcess;
  readonly lines: string[];
  /** Resolves with the exit code (or signal name) once the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves when a line satisfying `pred` has been printed. */
  waitFor(pred: (line: string) => boolean): Promise<string>;
}

export function startChild(script: string, args: readonly string[]): Child {
  const proc = spawn(process.execPath, [join(CHILDREN_DIR, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ pred: (l: string) => boolean; resolve: (l: string) => void; reject: (e: Error) => void }> = [];
  let buf = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.pred(line)) w.resolve(line);
        else waiters.push(w);
      }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(`child ${script} exited ${code}: ${err}\n`);
      for (const w of waiters.splice(0)) w.reject(new Error(`child ${script} ended (${signal ?? code}) before the awaited line: ${err}`));
      resolve(signal ?? code ?? -1);
    }),
  );
  return {
    proc,
    lines,
    exited,
    waitFor: (pred) => {
      const hit = lines.find(pred);
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => waiters.push({ pred, resolve, reject }));
    },
  };
}

/** Starts `n` children, waits until all are at the barrier, then releases them together. */
export async function runTogether(goDir: string, n: number, make: (i: number, goFile: string) => Child): Promise<Child[]> {
  const goFile = join(goDir, `go-${Date.now()}`);
  const children = Array.from({ length: n }, (_, i) => make(i, goFile));
  await Promise.all(children.map((c) => c.waitFor((l) => l === 'ready')));
  writeFileSync(goFile, 'go');
  await Promise.all(children.map((c) => c.exited));
  return children;
}
