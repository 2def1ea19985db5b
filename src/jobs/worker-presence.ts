import { hostname } from 'node:os';
import type { Store, WorkerReport } from '../store/index.js';
import type { Logger } from '../util/log.js';

/**
 * A runner's row in the workers table (store/workers.ts): registered when it starts, reported every
 * `everyMs` (alive, the jobs it holds, what it finished since), marked stopped when it stops. What operators and
 * moderators see of a worker (`marionette status`).
 */
export class WorkerPresence {
  private timer: NodeJS.Timeout | null = null;
  private pending = { done: 0, failed: 0, busyMs: 0 };
  private reporting: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly who: { workerId: string; kind: 'bot' | 'worker'; slots: number; device: string },
    private readonly currentJobs: () => readonly string[],
  ) {}

  async start(models: readonly string[], everyMs: number): Promise<void> {
    await this.store.registerWorker({
      workerId: this.who.workerId,
      host: hostname(),
      pid: process.pid,
      kind: this.who.kind,
      models,
      devices: [this.who.device],
      slots: this.who.slots,
    });
    this.timer = setInterval(() => void this.report(), everyMs);
    this.timer.unref();
  }

  /** An attempt ended after `ms` of work; `ok`: it succeeded. */
  finished(ok: boolean, ms: number): void {
    if (ok) this.pending.done += 1;
    else this.pending.failed += 1;
    this.pending.busyMs += ms;
  }

  /** The jobs it holds changed (one began or ended): said now, not at the next report. */
  changed(): void {
    void this.report();
  }

  /** Writes the row now; a call while a report is on its way sends another after it (with what changed meanwhile). */
  report(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reporting) {
      this.again = true;
      return this.reporting;
    }
    this.reporting = this.send().finally(() => {
      this.reporting = null;
      if (this.again) {
        this.again = false;
        void this.report();
      }
    });
    return this.reporting;
  }

  private async send(): Promise<void> {
    const sent: WorkerReport = { currentJobs: this.currentJobs(), ...this.pending };
    this.pending = { done: 0, failed: 0, busyMs: 0 };
    try {
      await this.store.reportWorker(this.who.workerId, sent);
    } catch (e) {
      // Counted again next time; the row just looks older meanwhile.
      this.pending = { done: this.pending.done + sent.done, failed: this.pending.failed + sent.failed, busyMs: this.pending.busyMs + sent.busyMs };
      this.logger.warn('worker report failed', { error: (e as Error).message });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopped = true;
    await this.reporting;
    await this.send();
    await this.store.stopWorker(this.who.workerId).catch((e: unknown) => this.logger.warn('worker stop not recorded', { error: (e as Error).message }));
  }
}
