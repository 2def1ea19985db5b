import type { AnimatePhase, AnimateProgress } from './options.js';

/**
 * Turns "n more frames done" into progress with a smoothed rate and an ETA.
 * Pure apart from the clock it is given.
 */
export class ProgressMeter {
  private done = 0;
  private rate: number | null = null;
  private lastTime: number;

  constructor(
    private readonly phase: AnimatePhase,
    private total: number | null,
    private readonly now: () => number = () => performance.now(),
    private readonly smoothing = 0.3,
  ) {
    this.lastTime = now();
  }

  setTotal(total: number | null): void {
    this.total = total;
  }

  advance(frames: number): AnimateProgress {
    const t = this.now();
    const dt = (t - this.lastTime) / 1000;
    this.lastTime = t;
    this.done += frames;
    if (dt > 0 && frames > 0) {
      const instant = frames / dt;
      this.rate = this.rate === null ? instant : this.rate + this.smoothing * (instant - this.rate);
    }
    return this.snapshot();
  }

  snapshot(): AnimateProgress {
    const total = this.total !== null ? Math.max(this.total, this.done) : null;
    const percent = total ? Math.min(100, (100 * this.done) / total) : null;
    const eta = total !== null && this.rate ? Math.max(0, (total - this.done) / this.rate) : null;
    return { phase: this.phase, framesDone: this.done, framesTotal: total, percent, fps: this.rate, etaSeconds: eta };
  }
}
