/**
 * One TypeScript conversion in a fresh process (so its peak RSS is the conversion's alone): prints one JSON line
 * with the wall time and the process's peak resident memory. `--check` runs `marionette convert` instead (the
 * conversion, then onnxruntime loading both networks and running a frame, then publishing).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runConvert } from '../../src/cli/convert-command.js';
import { convertCheckpoint } from '../../src/convert/convert-checkpoint.js';
import type { BuiltinConfig } from '../../src/convert/builtin-configs.js';

const { values } = parseArgs({
  options: { checkpoint: { type: 'string' }, config: { type: 'string', default: 'vox' }, out: { type: 'string' }, check: { type: 'boolean', default: false } },
});
const started = performance.now();
if (values.check) {
  const code = await runConvert(['--checkpoint', values.checkpoint!, '--config', values.config!, '--out', values.out!], {
    stdout: () => undefined,
    stderr: (t) => process.stderr.write(t),
  });
  if (code !== 0) throw new Error(`marionette convert exited with ${code}`);
} else {
  await convertCheckpoint({ checkpoint: values.checkpoint!, config: values.config as BuiltinConfig, out: values.out! });
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, peakRssMb: peakRssMb() })}\n`);

/** This process's peak resident memory: VmHWM on Linux (it starts afresh at exec), else getrusage's maxRSS. */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
