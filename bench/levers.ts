/**
 * `npm run bench:levers`: which onnxruntime CPU settings pay for the FOMM
 * vox-256 model. Each configuration is the engine's own session options with
 * one change, run in a fresh process (bench/levers-run.ts); configurations
 * alternate within each round, so slow drifts in the machine's load hit them
 * alike. Reports ms per frame (keypoints + generator) and the ratio to the
 * engine's settings, medians over the rounds.
 *
 *   npm run bench:levers [-- --rounds 3 --reps 2 --variants vox,vox-fp16 --only batch]
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { findPython } from '../src/convert/python-finder.js';
import { PROJECT_ROOT } from '../src/version.js';
import { ensureSeededModel, VARIANTS } from './fomm/seeded-model.js';
import { median } from './parity.js';

interface Lever {
  readonly group: string;
  readonly name: string;
  readonly variant?: string;
  readonly batch?: number;
  readonly tuning?: Record<string, unknown>;
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    reps: { type: 'string', default: '2' },
    batch: { type: 'string', default: '4' },
    variants: { type: 'string', default: 'vox' },
    only: { type: 'string' },
  },
});
const threads = cpus().length;
const baseBatch = Number(values.batch);
const variants = values.variants!.split(',');
const levers: Lever[] = [
  { group: 'base', name: `engine settings (intra-op ${threads}, no spinning, graph 'all', arena, no memory pattern, batch ${baseBatch})` },
  { group: 'threads', name: 'intra-op threads 1', tuning: { cpuThreads: 1 } },
  { group: 'spinning', name: 'spinning on', tuning: { spinning: true } },
  { group: 'graph', name: "graph optimisation 'extended' (no NCHWc layouts)", tuning: { graphOptimization: 'extended' } },
  { group: 'memory', name: 'memory pattern on', tuning: { memoryPattern: true } },
  { group: 'memory', name: 'memory arena off', tuning: { memoryArena: false } },
  ...[1, 2, 8].filter((b) => b !== baseBatch).map((b) => ({ group: 'batch', name: `batch ${b}`, batch: b })),
  ...variants.slice(1).map((v) => ({ group: 'model', name: `model ${v}`, variant: v })),
].filter((l) => !values.only || l.group === 'base' || values.only!.split(',').includes(l.group));

const python = (await findPython()).executable;
const dir = join(PROJECT_ROOT, 'data', 'bench', 'fomm');
const models: Record<string, string> = {};
for (const v of variants) {
  if (!VARIANTS[v]) throw new Error(`unknown variant ${v}`);
  models[v] = (await ensureSeededModel(dir, VARIANTS[v]!, python, (l) => process.stderr.write(`${l}\n`))).modelDir;
}

const run = promisify(execFile);
const samples = new Map<Lever, Array<{ kpMs: number; genMs: number; peakRssMb: number }>>();
for (let r = 0; r < Number(values.rounds); r++) {
  for (const lever of levers) {
    process.stderr.write(`round ${r + 1}: ${lever.name} (load ${loadavg()[0]!.toFixed(2)})\n`);
    const args = [join(PROJECT_ROOT, 'dist', 'bench', 'levers-run.js'), '--model', models[lever.variant ?? variants[0]!]!];
    args.push('--batch', String(lever.batch ?? baseBatch), '--reps', values.reps!, '--tuning', JSON.stringify({ cpuThreads: threads, ...lever.tuning }));
    const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
    const sample = JSON.parse(stdout.trim().split('\n').pop()!);
    samples.set(lever, [...(samples.get(lever) ?? []), sample]);
  }
}

const total = (l: Lever) => median(samples.get(l)!.map((s) => s.kpMs + s.genMs));
const base = total(levers[0]!);
const rows = levers.map((l) => {
  const s = samples.get(l)!;
  return {
    group: l.group,
    lever: l.name,
    keypointsMs: median(s.map((x) => x.kpMs)),
    generatorMs: median(s.map((x) => x.genMs)),
    totalMs: total(l),
    vsBase: base / total(l),
    peakRssMb: median(s.map((x) => x.peakRssMb)),
  };
});
const f = (n: number, d = 1) => n.toFixed(d);
process.stdout.write(
  [
    `${cpus().length}× ${cpus()[0]?.model.trim()}; seeded vox-256; ${values.rounds} rounds × ${values.reps} batches; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
    '',
    '| lever | keypoints | generator | total ms/frame | speed vs engine settings | peak RSS |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.lever} | ${f(r.keypointsMs)} | ${f(r.generatorMs)} | ${f(r.totalMs)} | ${f(r.vsBase, 2)}× | ${f(r.peakRssMb, 0)} MB |`),
    '',
  ].join('\n'),
);
writeFileSync(join(PROJECT_ROOT, 'data', 'bench', 'levers.json'), `${JSON.stringify({ machine: cpus()[0]?.model, rows }, null, 2)}\n`);
