/**
 * `npm run bench:fomm` (also `npm run bench -- --compare-pytorch`): the engine
 * against the official FOMM demo's PyTorch loop, on the same seeded vox-256
 * weights and the same decoded frames, in the same run.
 *
 * Each round runs the PyTorch reference loop (tools/convert/marionette_convert/
 * bench_reference.py: fp32, one frame at a time, like demo.py's make_animation)
 * and then the engine end to end (decode → keypoints → generator → encode, in
 * a fresh process, sessions loaded and warmed first). It reports ms per frame
 * both ways, their ratio per round and its median, and checks that the engine's
 * lossless clip matches PyTorch's frames (mean absolute difference ≤ 1/255).
 *
 *   npm run bench:fomm [-- --frames 32 --rounds 3 --threads 2 --batch 4 --variants vox,vox-plain,vox-fp16]
 *
 * About 2.5 minutes on two cores with the defaults (plus about 30 s to build the model once).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { findPython } from '../src/convert/python-finder.js';
import { writeShapeImage, writeShapeVideo } from '../src/demo/synthetic-media.js';
import { centredCrop } from '../src/engine/media/crop.js';
import { decodePhoto, decodeVideoFrames } from '../src/engine/media/decode.js';
import { readFramesRgb } from '../src/engine/media/encode.js';
import { DEFAULT_LIMITS } from '../src/engine/media/limits.js';
import { probeMedia } from '../src/engine/media/probe.js';
import type { AnimateResult } from '../src/engine/options.js';
import { PROJECT_ROOT } from '../src/version.js';
import { stackedBarSvg, type ChartRow } from './chart.js';
import { frameDifference, median, type FrameDifference } from './parity.js';
import { runPythonOrThrow } from './fomm/python.js';
import { ensureSeededModel, VARIANTS, type SeededModel } from './fomm/seeded-model.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: String(cpus().length) },
    batch: { type: 'string' },
    variants: { type: 'string', default: 'vox' },
    'compare-pytorch': { type: 'boolean', default: true },
  },
});
const frames = Number(values.frames);
const rounds = Number(values.rounds);
const threads = Number(values.threads);
const log = (line: string) => process.stderr.write(`${line}\n`);
const dir = join(PROJECT_ROOT, 'data', 'bench', 'fomm');
mkdirSync(dir, { recursive: true });
const python = (await findPython()).executable;

const models: Array<{ variant: string; model: SeededModel }> = [];
for (const name of values.variants!.split(',')) {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
  models.push({ variant: name, model: await ensureSeededModel(dir, variant, python, log) });
}
const size = { width: 256, height: 256 };

// The same inputs for both sides: a photo and a driving video, decoded once by the engine's own decoder.
const photo = join(dir, 'photo.png');
const driving = join(dir, `driving-${frames}.mp4`);
await writeShapeImage(photo, 640, 480, { cx: 0, cy: 0, angle: 0.2, scale: 0.8 });
await writeShapeVideo(driving, {
  width: 640,
  height: 480,
  fps: 25,
  frames,
  pose: (i) => ({ cx: 0.3 * Math.sin(i / 5), cy: 0.1 * Math.sin(i / 3), angle: i / 10, scale: 1 + 0.2 * Math.sin(i / 7) }),
});
const sourceRgb = join(dir, 'source.rgb');
const drivingRgb = join(dir, `driving-${frames}.rgb`);
await writeDecoded();

interface Round {
  readonly torchMs: number;
  readonly engine: Record<string, EngineRun>;
}
interface EngineRun {
  readonly e2eMs: number;
  readonly keypointsMs: number;
  readonly generatorMs: number;
  readonly convertMs: number;
  /** Share of the inference span in which neither model ran (device idle between batches). */
  readonly idle: number;
  readonly peakRssMb: number;
  readonly provider: string;
  readonly batch: number | null;
}
const results: Round[] = [];
let torchReport: { threads: number; torch: string } | null = null;
const torchFrames = join(dir, 'pytorch-frames.rgb');
for (let r = 0; r < rounds; r++) {
  log(`Round ${r + 1}/${rounds} (load average ${loadavg()[0]!.toFixed(2)}): PyTorch reference loop…`);
  const args = ['--checkpoint', models[0]!.model.checkpoint, '--config', models[0]!.model.config, '--source', sourceRgb, '--driving', drivingRgb];
  args.push('--frames', String(frames), '--warmup', values.warmup!, '--threads', String(threads));
  if (r === 0) args.push('--dump', torchFrames);
  const torch = JSON.parse(lastLine(await runPythonOrThrow(python, 'marionette_convert.bench_reference', args))) as {
    msPerFrame: number;
    threads: number;
    torch: string;
  };
  torchReport = torch;
  const engine: Record<string, EngineRun> = {};
  for (const { variant, model } of models) {
    log(`Round ${r + 1}/${rounds}: engine, ${variant}…`);
    engine[variant] = await engineRun(model.modelDir, join(dir, `engine-${variant}.mkv`));
  }
  results.push({ torchMs: torch.msPerFrame, engine });
  log(
    `  PyTorch ${torch.msPerFrame.toFixed(0)} ms/frame; ${models.map(({ variant }) => `${variant} ${engine[variant]!.e2eMs.toFixed(0)} ms/frame`).join(', ')}`,
  );
}

const expected = await readFile(torchFrames);
const parity: Record<string, FrameDifference> = {};
for (const { variant } of models) {
  parity[variant] = frameDifference(await readFramesRgb(join(dir, `engine-${variant}.mkv`)), expected, size.width * size.height * 3);
}

const torchMs = median(results.map((r) => r.torchMs));
const machine = `${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const summary = models.map(({ variant }) => {
  const runs = results.map((r) => r.engine[variant]!);
  const e2e = median(runs.map((x) => x.e2eMs));
  return {
    variant,
    provider: runs[0]!.provider,
    batch: runs[0]!.batch,
    e2eMs: e2e,
    fps: 1000 / e2e,
    keypointsMs: median(runs.map((x) => x.keypointsMs)),
    generatorMs: median(runs.map((x) => x.generatorMs)),
    convertMs: median(runs.map((x) => x.convertMs)),
    idle: median(runs.map((x) => x.idle)),
    peakRssMb: median(runs.map((x) => x.peakRssMb)),
    // The ratio within each round (PyTorch and the engine ran back to back), then the median.
    speedup: median(results.map((r) => r.torchMs / r.engine[variant]!.e2eMs)),
    parity: parity[variant]!,
  };
});
const f = (n: number, d = 1) => n.toFixed(d);
const lines = [
  `Machine: ${machine}; load average at the end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  `Seeded vox-256 weights; ${frames} frames of 256×256; ${rounds} rounds, medians.`,
  `PyTorch ${torchReport?.torch} reference loop (demo.py's make_animation: fp32, one frame at a time), ${torchReport?.threads} threads: ` +
    `${f(torchMs)} ms/frame (${f(1000 / torchMs, 2)} fps), inference only`,
  '',
  '| model | provider | batch | keypoints | generator | layout* | end-to-end | fps | vs PyTorch | idle | peak RSS | parity (mean / max) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...summary.map(
    (s) =>
      `| ${s.variant} | ${s.provider} | ${s.batch ?? 'default'} | ${f(s.keypointsMs)} | ${f(s.generatorMs)} | ${f(s.convertMs)} | ${f(s.e2eMs)} ` +
      `| ${f(s.fps, 2)} | ${f(s.speedup, 2)}× | ${f(s.idle * 100, 1)} % | ${f(s.peakRssMb, 0)} MB ` +
      `| ${f(s.parity.meanAbs * 255, 3)}/255 / ${f(s.parity.maxAbs * 255, 0)}/255 |`,
  ),
  '',
  'ms per frame; end-to-end = decode → keypoints → generator → encode (lossless MKV, no label), after a warm-up batch, per-job',
  'costs (probe, photo, source keypoints, encoder start and finish) included. * on the main thread, overlapping inference.',
  'idle: share of the time from the first batch sent to the last one back in which neither model ran.',
  `Per round, PyTorch / engine: ${summary
    .map((s) => `${s.variant} ${results.map((r) => f(r.torchMs / r.engine[s.variant]!.e2eMs, 2)).join(', ')}`)
    .join('; ')}`,
  ...summary.map(
    (s) =>
      `Parity ${s.variant}: ${s.parity.meanAbs <= 1 / 255 ? 'ok' : 'FAILED'} (mean ${f(s.parity.meanAbs * 255, 3)}/255 ≤ 1/255 ` +
      `over ${s.parity.frames} frames; worst frame ${f(s.parity.worstFrameMeanAbs * 255, 3)}/255)`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
const chart: ChartRow[] = [
  { label: `PyTorch loop (${torchReport?.threads} thr)`, stages: [{ name: 'PyTorch inference', ms: torchMs }] },
  ...summary.map((s) => ({
    label: `engine, ${s.variant}`,
    stages: [
      { name: 'keypoints', ms: s.keypointsMs },
      { name: 'generator', ms: s.generatorMs },
      { name: 'rest (per-job costs, idle)', ms: Math.max(0, s.e2eMs - s.keypointsMs - s.generatorMs) },
    ],
  })),
];
writeFileSync(join(PROJECT_ROOT, 'data', 'bench', 'fomm.svg'), stackedBarSvg(`FOMM vox-256 (seeded weights), ms per frame — ${machine}`, chart));
writeFileSync(
  join(PROJECT_ROOT, 'data', 'bench', 'fomm.json'),
  `${JSON.stringify({ machine, frames, rounds, threads, torch: torchReport, torchMs, results, summary }, null, 2)}\n`,
);
log(`Wrote data/bench/fomm.json and data/bench/fomm.svg.`);
if (summary.some((s) => s.parity.meanAbs > 1 / 255)) process.exitCode = 1;

async function engineRun(modelDir: string, out: string): Promise<EngineRun> {
  const args = [join(PROJECT_ROOT, 'dist', 'bench', 'bench-run.js'), '--source', photo, '--driving', driving, '--out', out, '--model', modelDir];
  args.push('--device', 'cpu', '--threads', String(threads), '--no-label');
  if (values.batch) args.push('--batch', values.batch);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const { result, peakRssMb } = JSON.parse(lastLine(stdout)) as { result: AnimateResult; peakRssMb: number };
  const t = result.timings;
  const per = (ms: number) => ms / result.frames;
  return {
    e2eMs: per(t.totalMs - t.loadMs),
    keypointsMs: per(t.keypointsMs),
    generatorMs: per(t.generatorMs),
    convertMs: per(t.convertMs),
    idle: 1 - (t.keypointsMs + t.generatorMs) / t.inferenceSpanMs,
    peakRssMb,
    provider: result.provider,
    batch: values.batch ? Number(values.batch) : null,
  };
}

async function writeDecoded(): Promise<void> {
  const photoInfo = await probeMedia(photo, 'photo', DEFAULT_LIMITS);
  writeFileSync(sourceRgb, await decodePhoto(photo, photoInfo, size, centredCrop));
  const videoInfo = await probeMedia(driving, 'video', DEFAULT_LIMITS);
  const chunks: Uint8Array[] = [];
  for await (const batch of decodeVideoFrames(driving, videoInfo, { target: size, crop: centredCrop, limits: DEFAULT_LIMITS, batchSize: 8 })) {
    chunks.push(batch.frames.slice());
  }
  writeFileSync(drivingRgb, Buffer.concat(chunks));
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
