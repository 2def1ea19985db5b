/**
 * `npm run bench` (bench.ts): the engine's speed and memory for short and long
 * videos. For a 5 s and a 60 s driving video it reports ms per frame for each
 * stage (decode, keypoints, generator, encode, measured alone and inside the
 * pipeline), end-to-end frames per second, the models' idle share between
 * batches, and the peak RSS of a fresh process per run (sessions loaded and
 * warmed first). Results go to data/bench/results.json and data/bench/stages.svg.
 *
 *   npm run bench [-- --model models/vox --device cpu --batch 4 --durations 5,60]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeShapeImage, writeShapeVideo } from '../src/demo/synthetic-media.js';
import { DEFAULT_MODEL_DIR } from '../src/engine/animate.js';
import { readModelFolder } from '../src/engine/model/model-folder.js';
import type { AnimateResult } from '../src/engine/options.js';
import { PROJECT_ROOT } from '../src/version.js';
import { stackedBarSvg, type ChartRow } from './chart.js';
import { decodeCost, encodeCost } from './stage-costs.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_MODEL_DIR },
    device: { type: 'string', default: 'auto' },
    batch: { type: 'string' },
    durations: { type: 'string', default: '5,60' },
  },
});
const dir = join(PROJECT_ROOT, 'data', 'bench');
mkdirSync(dir, { recursive: true });
const model = await readModelFolder(values.model!);
const size = model.manifest.inputSize;
const photo = join(dir, 'photo.png');
await writeShapeImage(photo, 640, 480, { cx: 0, cy: 0, angle: 0.2, scale: 0.8 });

interface Row {
  seconds: number;
  frames: number;
  decodeAlone: number;
  encodeAlone: number;
  keypoints: number;
  generator: number;
  convert: number;
  decodeWait: number;
  encodeWait: number;
  idle: number;
  endToEndFps: number;
  peakRssMb: number;
  provider: string;
}
const rows: Row[] = [];
for (const seconds of values.durations!.split(',').map(Number)) {
  const driving = join(dir, `driving-${seconds}s.mp4`);
  process.stderr.write(`Preparing a ${seconds} s driving video (640×480, 25 fps)…\n`);
  await writeShapeVideo(driving, {
    width: 640,
    height: 480,
    fps: 25,
    frames: seconds * 25,
    audio: true,
    pose: (i) => ({ cx: 0.3 * Math.sin(i / 20), cy: 0.1 * Math.sin(i / 13), angle: i / 40, scale: 1 + 0.2 * Math.sin(i / 30) }),
  });
  const decoded = await decodeCost(driving, size);
  const encodeAlone = await encodeCost(join(dir, 'encode-only.mp4'), decoded.rgb, Math.min(decoded.frames, 250), size);
  process.stderr.write(`Animating it with model "${model.manifest.name}" in a fresh process…\n`);
  const args = [
    join(PROJECT_ROOT, 'dist', 'bench', 'bench-run.js'),
    '--source',
    photo,
    '--driving',
    driving,
    '--out',
    join(dir, `out-${seconds}s.mp4`),
    '--model',
    model.dir,
    '--device',
    values.device!,
  ];
  if (values.batch) args.push('--batch', values.batch);
  const line = execFileSync(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 })
    .toString()
    .trim()
    .split('\n')
    .pop()!;
  const run = JSON.parse(line) as { result: AnimateResult; peakRssMb: number };
  const r = run.result;
  const per = (ms: number) => ms / r.frames;
  rows.push({
    seconds,
    frames: r.frames,
    decodeAlone: decoded.msPerFrame,
    encodeAlone,
    keypoints: per(r.timings.keypointsMs),
    generator: per(r.timings.generatorMs),
    convert: per(r.timings.convertMs),
    decodeWait: per(r.timings.decodeWaitMs),
    encodeWait: per(r.timings.encodeWaitMs),
    idle: 1 - (r.timings.keypointsMs + r.timings.generatorMs) / r.timings.inferenceSpanMs,
    endToEndFps: r.frames / ((r.timings.totalMs - r.timings.loadMs) / 1000),
    peakRssMb: run.peakRssMb,
    provider: r.provider,
  });
}

const machine = `${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const f = (n: number) => n.toFixed(2);
const lines = [
  `Machine: ${machine}; model "${model.manifest.name}" (${size.width}×${size.height}); provider ${rows[0]?.provider}`,
  '',
  '| video | frames | decode* | keypoints | generator | layout+label† | encode* | end-to-end fps | idle‡ | peak RSS |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.seconds} s | ${r.frames} | ${f(r.decodeAlone)} | ${f(r.keypoints)} | ${f(r.generator)} | ${f(r.convert)} | ${f(r.encodeAlone)} ` +
      `| ${r.endToEndFps.toFixed(1)} | ${(r.idle * 100).toFixed(1)} % | ${r.peakRssMb.toFixed(0)} MB |`,
  ),
  '',
  '† on the main thread, overlapping inference. ‡ share of the inference span in which neither model ran.',
  'ms per frame; * decode and encode measured alone (in the pipeline they overlap inference:',
  ...rows.map((r) => `  ${r.seconds} s: main thread waited ${f(r.decodeWait)} ms/frame for decoded frames, ${f(r.encodeWait)} ms/frame for the encoder)`),
];
if (rows.length >= 2) {
  const [a, b] = [rows[0]!, rows[rows.length - 1]!];
  lines.push(
    '',
    `Peak RSS ${b.seconds} s vs ${a.seconds} s: ${((b.peakRssMb / a.peakRssMb - 1) * 100).toFixed(1)} % ` +
      '(memory does not grow with video length when this stays small).',
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
const chartRows: ChartRow[] = rows.map((r) => ({
  label: `${r.seconds} s video (${r.frames} frames)`,
  stages: [
    { name: 'decode', ms: r.decodeAlone },
    { name: 'keypoints', ms: r.keypoints },
    { name: 'generator', ms: r.generator },
    { name: 'layout+label', ms: r.convert },
    { name: 'encode', ms: r.encodeAlone },
  ],
}));
writeFileSync(join(dir, 'stages.svg'), stackedBarSvg(`Marionette engine, ${model.manifest.name} model, ${rows[0]?.provider} — ${machine}`, chartRows));
writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ machine, model: model.manifest.name, rows }, null, 2)}\n`);
process.stderr.write(`Wrote ${join('data', 'bench', 'results.json')} and ${join('data', 'bench', 'stages.svg')}.\n`);
