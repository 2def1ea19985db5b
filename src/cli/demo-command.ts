import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeContactSheet } from '../demo/contact-sheet.js';
import { writeShapeImage, writeShapeVideo, type ShapeColours } from '../demo/synthetic-media.js';
import { Engine } from '../engine/engine.js';
import { resolveFfmpeg } from '../engine/media/ffmpeg-path.js';
import { PROJECT_ROOT } from '../version.js';
import { EXIT_OK, reportError } from './exit-codes.js';
import { ProgressBar } from './progress-bar.js';

/**
 * `marionette demo` (npm run demo): draws a sample photo (a green puppet-arm
 * sprite) and a driving video (a blue one swinging, growing and travelling,
 * with a tone), animates the photo with the built-in model, and writes
 * data/demo/demo.mp4 and a contact sheet, data/demo/demo-sheet.png.
 */
export const DEMO_PHOTO_COLOURS: ShapeColours = { background: [250, 244, 230], bar: [40, 150, 80], knob: [250, 190, 40] };

export async function demoCommand(): Promise<number> {
  const dir = join(PROJECT_ROOT, 'data', 'demo');
  const bar = new ProgressBar(process.stderr);
  const engine = new Engine({ device: 'auto' });
  // Ctrl-C or SIGTERM stops the animation and removes its partial file, as with `animate` (exit 130).
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    // Nothing is drawn or written on a machine without ffmpeg: it says so first (a configuration error, exit 78).
    resolveFfmpeg();
    // data/ is the bot's too (members' files live there): when the demo makes it, it makes it private (0700).
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const photo = join(dir, 'photo.png');
    const driving = join(dir, 'driving.mp4');
    const output = join(dir, 'demo.mp4');
    process.stderr.write('Drawing a sample photo and driving video…\n');
    await writeShapeImage(photo, 480, 360, { cx: -0.05, cy: 0.05, angle: -0.3, scale: 0.9 }, [], DEMO_PHOTO_COLOURS);
    await writeShapeVideo(driving, { width: 360, height: 360, fps: 25, frames: 100, audio: true, pose: demoPose });
    const result = await engine.animate({
      source: photo,
      driving,
      output,
      signal: controller.signal,
      onProgress: process.stderr.isTTY ? (p) => bar.update(p) : undefined,
    });
    bar.done();
    const sheet = join(dir, 'demo-sheet.png');
    await writeContactSheet(photo, driving, output, sheet);
    const rel = (p: string) => relative(process.cwd(), p) || p;
    process.stdout.write(
      `Demo written to ${rel(output)} (${result.frames} frames, ${result.durationSeconds.toFixed(1)} s, ` +
        `model "${result.model.name}" on ${result.provider}).\n` +
        `Inputs: ${rel(photo)} and ${rel(driving)}; a picture of the result: ${rel(sheet)}.\n` +
        `The built-in model moves one object on a plain background; faces need a converted FOMM checkpoint (docs/convert.md).\n`,
    );
    return EXIT_OK;
  } catch (e) {
    bar.done();
    return reportError(e, 'demo', 'Run "marionette --help".');
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await engine.dispose();
  }
}

/** The driving motion: a swing, a figure-eight path and a slow pulse in size. */
export function demoPose(frame: number) {
  const t = frame / 25;
  return {
    cx: 0.25 * Math.sin(t * 1.6),
    cy: 0.15 * Math.sin(t * 3.2),
    angle: 0.9 * Math.sin(t * 1.3),
    scale: 0.85 + 0.2 * Math.sin(t * 0.8),
  };
}
