import type { AnimateProgress } from '../engine/options.js';

/**
 * The terminal progress bar (stderr, TTY only): phase, bar, frames, fps, ETA.
 * `formatProgress` is pure; `ProgressBar` redraws at most every 100 ms.
 */
const PHASE_LABEL: Record<AnimateProgress['phase'], string> = {
  checking: 'Checking inputs',
  loading: 'Loading model',
  framing: 'Finding faces',
  reference: 'Finding best frame',
  generating: 'Animating',
  finishing: 'Finishing',
};

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export function formatProgress(p: AnimateProgress, width = 24): string {
  const label = PHASE_LABEL[p.phase].padEnd(18);
  if (p.phase === 'checking' || p.phase === 'loading') return label;
  const fraction = p.percent !== null ? p.percent / 100 : 0;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const percent = p.percent !== null ? `${p.percent.toFixed(0).padStart(3)}%` : '  ?%';
  const frames = `${p.framesDone}/${p.framesTotal ?? '?'} frames`;
  const fps = p.fps !== null ? `${p.fps.toFixed(1)} fps` : '– fps';
  const eta = p.etaSeconds !== null ? `ETA ${formatDuration(p.etaSeconds)}` : 'ETA –';
  return `${label} ${bar} ${percent} ${frames} · ${fps} · ${eta}`;
}

export class ProgressBar {
  private last = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(p: AnimateProgress): void {
    const now = Date.now();
    if (now - this.last < 100 && p.phase === 'generating' && p.percent !== 100) return;
    this.last = now;
    const columns = this.stream.columns ?? 100;
    this.stream.write(
      `\r${formatProgress(p)
        .slice(0, columns - 1)
        .padEnd(columns - 1)}`,
    );
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
