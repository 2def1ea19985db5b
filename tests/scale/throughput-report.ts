/**
 * The figures of tests/scale/throughput.test.ts: with MARIONETTE_SCALE_REPORT=<file> (`npm run bench:scale`) a JSON
 * report and the chart docs/scale-throughput.svg. Figures only: the test asserts correctness, never speed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { scaleChartSvg } from '../../bench/scale-chart.js';
import { REPO_ROOT } from '../support/cli.js';

export type SetupKey = 'a' | 'b' | 'c';

export interface SetupResult {
  readonly key: SetupKey;
  readonly label: string;
  readonly store: 'sqlite' | 'postgres';
  readonly media: 'local' | 'postgres';
  /** Worker threads inside the bot process. */
  readonly botWorkerThreads: number;
  /** `marionette worker` processes, one job at a time each. */
  readonly workerProcesses: number;
  readonly jobs: number;
  /** From the first command (its interaction's creation) to the last clip posted. */
  readonly seconds: number;
  readonly jobsPerMinute: number;
  /** Jobs each `marionette worker` process finished (as its heartbeats reported them). */
  readonly jobsPerWorker: readonly number[];
  /** Peak resident memory of each worker process, MB. */
  readonly workerPeakRssMb: readonly number[];
}

export interface ScaleReport {
  readonly jobs: number;
  readonly drivingVideo: { readonly frames: number; readonly fps: number };
  readonly model: string;
  readonly setups: readonly SetupResult[];
  /** Throughput (jobs per minute) of (b) and (c) over (a)'s; null where a set-up did not run (no PostgreSQL). */
  readonly ratios: { readonly bToA: number | null; readonly cToA: number | null };
  readonly machine: {
    readonly cpuModel: string;
    readonly cores: number;
    readonly memoryGb: number;
    readonly loadAverageAtEnd: readonly number[];
    readonly node: string;
  };
  readonly note: string;
  readonly writtenAt: string;
}

const ratio = (x: SetupResult | undefined, a: SetupResult | undefined) => (x && a && a.jobsPerMinute > 0 ? x.jobsPerMinute / a.jobsPerMinute : null);

export function scaleReport(options: { jobs: number; frames: number; fps: number; model: string; setups: readonly SetupResult[] }): ScaleReport {
  const by = (k: SetupKey) => options.setups.find((s) => s.key === k);
  const cpu = cpus();
  return {
    jobs: options.jobs,
    drivingVideo: { frames: options.frames, fps: options.fps },
    model: options.model,
    setups: [...options.setups].sort((x, y) => x.key.localeCompare(y.key)),
    ratios: { bToA: ratio(by('b'), by('a')), cToA: ratio(by('c'), by('a')) },
    machine: {
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
    },
    note:
      'All processes (test, bot, workers, PostgreSQL, ffmpeg) share this one machine: more worker processes only help while cores are free. ' +
      "Each set-up's time includes its processes loading the model for their first job.",
    writtenAt: new Date().toISOString(),
  };
}

/**
 * Writes the JSON report to `file` (relative to the working folder) and the chart beside the docs, named after it:
 * data/bench/scale.json → docs/scale-throughput.svg, data/bench/scale-vox.json → docs/scale-throughput-vox.svg.
 */
export function writeScaleReport(file: string, report: ScaleReport): { json: string; svg: string } {
  const json = resolve(file);
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const svg = join(REPO_ROOT, 'docs', `${basename(json, '.json').replace(/^scale/, 'scale-throughput')}.svg`);
  const m = report.machine;
  writeFileSync(
    svg,
    scaleChartSvg(
      `Throughput: ${report.jobs} identical jobs, all at once`,
      `${report.drivingVideo.frames}-frame driving video, model ${report.model}; ${m.cores}× ${m.cpuModel} (shared), CPU inference`,
      report.setups,
    ),
  );
  return { json, svg };
}
