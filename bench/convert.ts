/**
 * `npm run bench:convert`: converting a full vox-256 checkpoint, the TypeScript converter against the Python one
 * (tools/convert), time and peak resident memory, each run in a fresh process.
 *
 *   npm run bench:convert [-- --runs 3]
 *
 * The checkpoint is the published vox-256 architecture with seeded random weights, laid out as the official
 * vox-cpk.pth.tar (legacy format, 0.72 GB: the two networks, a discriminator and Adam's moments for all three
 * optimizers), made once by the converter's testing helper and cached in data/bench/convert/. Each run converts
 * it three ways, in an order that changes from run to run: the TypeScript converter alone, `marionette convert`
 * (the TypeScript conversion, then the onnxruntime check and publishing), and the Python converter. Time is the
 * process's own (startup excluded; PyTorch's import included for Python); memory is the process's peak RSS.
 * Medians and ranges go to stdout, the runs to data/bench/convert/results.json, a chart to docs/convert-benchmark.svg.
 * About 40 s per run on two idle cores, most of it Python's.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { converterRoot } from '../src/convert/converter-location.js';
import { findPython } from '../src/convert/python-finder.js';
import { PROJECT_ROOT, VERSION } from '../src/version.js';
import { stackedBarSvg, type ChartRow } from './chart.js';
import { runPythonOrThrow } from './fomm/python.js';
import { median } from './parity.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const log = (line: string) => process.stderr.write(`${line}\n`);
const dir = join(PROJECT_ROOT, 'data', 'bench', 'convert');
mkdirSync(dir, { recursive: true });
const python = await findPython();
const checkpoint = join(dir, 'vox-official-layout.pth.tar');

const WAYS = ['typescript', 'marionette-convert', 'python'] as const;
type Way = (typeof WAYS)[number];
const LABELS: Record<Way, string> = {
  typescript: 'TypeScript converter',
  'marionette-convert': 'marionette convert (TS + check)',
  python: 'Python converter',
};
interface Measure {
  readonly ms: number;
  readonly peakRssMb: number;
}

if (!existsSync(checkpoint)) {
  log(`Writing a seeded vox-256 checkpoint in the official layout (${checkpoint})…`);
  await runPythonOrThrow(python.executable, 'marionette_convert.testing', ['make-random-checkpoint', '--config', 'vox', '--out', checkpoint, '--seed', '1']);
}

const measured: Record<Way, Measure[]> = { typescript: [], 'marionette-convert': [], python: [] };
const loads: number[] = [];
for (let r = 0; r < runs; r++) {
  // Rotate the order so that no way always runs first (on a cold page cache) or last.
  const order = WAYS.map((_, i) => WAYS[(i + r) % WAYS.length]!);
  for (const way of order) {
    loads.push(loadavg()[0]!);
    const out = join(dir, 'models', `vox-${way}`);
    rmSync(join(dir, 'models'), { recursive: true, force: true });
    const m = await measure(way, out);
    measured[way].push(m);
    log(`Run ${r + 1}/${runs}, ${LABELS[way]}: ${(m.ms / 1000).toFixed(1)} s, peak RSS ${m.peakRssMb.toFixed(0)} MB (load ${loads.at(-1)!.toFixed(2)})`);
  }
}
rmSync(join(dir, 'models'), { recursive: true, force: true });

const machine = `${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const summary = WAYS.map((way) => {
  const ms = measured[way].map((m) => m.ms);
  const mb = measured[way].map((m) => m.peakRssMb);
  return {
    way,
    label: LABELS[way],
    ms: median(ms),
    msRange: [Math.min(...ms), Math.max(...ms)],
    peakRssMb: median(mb),
    mbRange: [Math.min(...mb), Math.max(...mb)],
  };
});
const s = (ms: number) => (ms / 1000).toFixed(1);
const load = `${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`;
const checkpointMb = (readFileSync(checkpoint).length / 1e6).toFixed(0);
const range = (r: number[], f: (n: number) => string) => `[${f(r[0]!)}–${f(r[1]!)}]`;
const lines = [
  `Machine: ${machine}; Node ${process.version}; ${python.versions}; load average during the runs ${load}`,
  `Seeded vox-256 checkpoint in the official layout (${checkpointMb} MB, legacy format); ${runs} runs each, medians [min–max].`,
  '',
  '| | time | peak RSS |',
  '|---|---|---|',
  ...summary.map((x) => `| ${x.label} | ${s(x.ms)} s ${range(x.msRange, s)} | ${x.peakRssMb.toFixed(0)} MB ${range(x.mbRange, (n) => n.toFixed(0))} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(
  join(dir, 'results.json'),
  `${JSON.stringify({ machine, version: VERSION, python: python.versions, runs, loads, measured, summary }, null, 2)}\n`,
);
writeFileSync(join(PROJECT_ROOT, 'docs', 'convert-benchmark.svg'), chart(summary, machine));
log('Wrote data/bench/convert/results.json and docs/convert-benchmark.svg.');

async function measure(way: Way, out: string): Promise<Measure> {
  if (way === 'python') {
    const pythonPath = process.env['PYTHONPATH'] ? `${converterRoot()}:${process.env['PYTHONPATH']}` : converterRoot();
    const args = ['-m', 'marionette_convert.testing.measure', '--checkpoint', checkpoint, '--config', 'vox', '--out', out];
    const { stderr } = await run(python.executable, args, { env: { ...process.env, PYTHONPATH: pythonPath }, maxBuffer: 16 << 20 });
    return JSON.parse(stderr.trim().split('\n').pop()!) as Measure;
  }
  const args = [join(PROJECT_ROOT, 'dist', 'bench', 'convert', 'convert-run.js'), '--checkpoint', checkpoint, '--config', 'vox', '--out', out];
  if (way === 'marionette-convert') args.push('--check');
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measure;
}

/** Two bar charts, one above the other: seconds, then peak RSS in MB. */
function chart(rows: typeof summary, machine: string): string {
  const time: ChartRow[] = rows.map((x) => ({ label: x.label, stages: [{ name: 'conversion (s)', ms: x.ms / 1000 }] }));
  const memory: ChartRow[] = rows.map((x) => ({ label: x.label, stages: [{ name: 'peak RSS (MB)', ms: x.peakRssMb }] }));
  const top = stackedBarSvg(`Converting vox-256 (0.72 GB checkpoint): time — ${machine}`, time, 's, median');
  const bottom = stackedBarSvg('Peak resident memory of the converting process', memory, 'MB, median');
  const height = (svg: string) => Number(/height="(\d+)"/.exec(svg)![1]);
  const width = Number(/width="(\d+)"/.exec(top)![1]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height(top) + height(bottom)}">`,
    top.replace('<svg ', '<svg y="0" '),
    bottom.replace('<svg ', `<svg y="${height(top)}" `),
    '</svg>',
    '',
  ].join('\n');
}
