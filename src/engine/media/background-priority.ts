import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';

/**
 * Background work at a lower CPU priority. A bot animates in the background while members wait in the
 * foreground for their commands to be checked and queued; on a machine with few cores the two compete for
 * the same CPUs, and without priorities a burst of commands waits behind the running animation.
 *
 * `inBackground(niceness, work)` runs `work` so that every ffmpeg/ffprobe it starts (through runProcess or
 * `atBackgroundPriority`) runs at that niceness (0 normal … 19 lowest, as `nice`); the inference worker
 * thread takes the same niceness when its Engine is made with it. Work outside (a member's intake) keeps the
 * process's own priority. Lowering a priority needs no privilege; a system that refuses it (a container
 * without the capability to change it back, Windows without the right) leaves it as it was.
 */
const niceness = new AsyncLocalStorage<number>();

export function inBackground<T>(level: number, work: () => Promise<T>): Promise<T> {
  return niceness.run(level, work);
}

/** The niceness the current work asked for; 0 outside `inBackground`. */
export function backgroundNiceness(): number {
  return niceness.getStore() ?? 0;
}

/** Gives a just-started child the current work's niceness (its threads, made after this, inherit it). */
export function atBackgroundPriority<C extends ChildProcess>(child: C): C {
  lowerPriority(child.pid, backgroundNiceness());
  return child;
}

/** Sets a process's (or, with pid 0 inside a worker thread, that thread's) niceness; best effort. */
export function lowerPriority(pid: number | undefined, level: number): void {
  if (level <= 0 || pid === undefined) return;
  try {
    setPriority(pid, Math.min(19, level));
  } catch {
    // Not permitted here: the work runs at normal priority, which is correct, only less kind to the foreground.
  }
}
