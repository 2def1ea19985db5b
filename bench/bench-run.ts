/**
 * One benchmark run in a fresh process (so peak RSS is this run's alone):
 * loads and warms the engine, animates `--source` with `--driving` and prints
 * one JSON line with the result's stage timings and the process's peak
 * resident memory.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine.js';
import type { DeviceRequest } from '../src/engine/model/execution-provider.js';

const { values } = parseArgs({
  options: {
    source: { type: 'string' },
    driving: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    device: { type: 'string', default: 'auto' },
    batch: { type: 'string' },
    threads: { type: 'string' },
    'no-label': { type: 'boolean', default: false },
    'no-warm': { type: 'boolean', default: false },
  },
});
const batchSize = values.batch ? Number(values.batch) : undefined;
const engine = new Engine({ device: values.device as DeviceRequest, ...(values.threads ? { cpuThreads: Number(values.threads) } : {}) });
try {
  const warm = await engine.warmUp(values.model, { inference: !values['no-warm'], batchSize });
  const result = await engine.animate({
    source: values.source!,
    driving: values.driving!,
    output: values.out!,
    model: values.model,
    batchSize,
    label: !values['no-label'],
  });
  const rssMb = peakRssMb();
  process.stdout.write(`${JSON.stringify({ result, warmLoadMs: warm.loadMs, warmMs: warm.warmMs, peakRssMb: rssMb })}\n`);
} finally {
  await engine.dispose();
}

/**
 * This process's peak resident memory. On Linux, VmHWM from /proc (it starts
 * afresh at exec); getrusage's maxRSS can carry the parent's peak over a fork.
 */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
