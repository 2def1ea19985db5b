import { relative } from 'node:path';
import { Engine } from '../engine/engine.js';
import { formatBytes } from '../engine/media/limits.js';
import type { AnimateResult } from '../engine/options.js';
import { createLogger } from '../util/log.js';
import { ANIMATE_USAGE, parseAnimateArgs } from './args.js';
import { EXIT_OK, reportError } from './exit-codes.js';
import { fallbackSentence, framingLine } from './framing-summary.js';
import { ProgressBar } from './progress-bar.js';

/** `marionette animate`: a thin shell over Engine.animate. */
export async function animateCommand(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = new ProgressBar(process.stderr);
  let engine: Engine | null = null;
  try {
    const command = parseAnimateArgs(argv);
    if (command === 'help') {
      process.stdout.write(ANIMATE_USAGE);
      return EXIT_OK;
    }
    const logger = createLogger({ level: process.env['MARIONETTE_LOG'] === 'debug' ? 'debug' : 'warn' });
    engine = new Engine({ device: command.device, cpuThreads: command.cpuThreads, logger });
    const showBar = !command.quiet && process.stderr.isTTY === true;
    const result = await engine.animate({
      ...command.options,
      signal: controller.signal,
      onProgress: showBar ? (p) => bar.update(p) : undefined,
    });
    bar.done();
    process.stdout.write(command.json ? `${JSON.stringify(result)}\n` : summary(result));
    // No usable face: one line on stderr, also with --json, saying what was done instead.
    const fallback = fallbackSentence(result.framing.notes);
    if (fallback !== '') process.stderr.write(`${fallback}\n`);
    return EXIT_OK;
  } catch (e) {
    bar.done();
    return reportError(e, 'animate', 'Run "marionette animate --help" for the options.');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine?.dispose();
  }
}

function summary(r: AnimateResult): string {
  const where = relative(process.cwd(), r.output) || r.output;
  const parts = [
    `${r.frames} frames at ${+r.fps.toFixed(3)} fps (${r.durationSeconds.toFixed(1)} s)`,
    `${r.width}×${r.height}`,
    formatBytes(r.bytes),
    r.audio ? 'with audio' : 'no audio',
  ];
  const motion = r.mode === 'relative' ? `relative motion from frame ${r.referenceFrame}, scale ${r.movementScale.toFixed(2)}` : 'absolute motion';
  // Which provider ran, and why the ones before it did not (--device auto tries CUDA, WebGPU, then the CPU).
  const passed = r.providerChoice.passedOver.map((c) => `${c.provider}: ${c.reason}`).join('; ');
  const device = passed === '' ? r.provider : `${r.provider} (not ${passed})`;
  const seconds = (r.timings.totalMs / 1000).toFixed(1);
  return `Wrote ${where}: ${parts.join(', ')}.\nModel "${r.model.name}" on ${device}; ${motion}; ${seconds} s.\n${framingLine(r)}${
    r.label
      ? 'The clip carries a visible "AI-generated" label and metadata tag.'
      : 'The clip carries the "AI-generated" metadata tag (label left out with --no-label).'
  }\n`;
}
