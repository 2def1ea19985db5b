import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { converterRoot, CONVERTER_PACKAGE } from './converter-location.js';

/** fp32; mixed (float16 for the generator's convolutional trunk, float32 inputs and outputs); fp16 (throughout). */
export type GeneratorPrecision = 'fp32' | 'mixed' | 'fp16';

export interface ConverterArgs {
  readonly checkpoint: string;
  readonly config: string;
  readonly out: string;
  /** The generator's precision (the converter's --precision); default fp32. */
  readonly precision?: GeneratorPrecision;
  /** How the up-sampling blocks interleave their phases (the converter's --upsample-interleave); default stack. */
  readonly upsampleInterleave?: 'stack' | 'depth-to-space';
  /** Whether the generator's residual blocks use Winograd F(4×4, 3×3) (false: the converter's --no-winograd); default true. */
  readonly winograd?: boolean;
  /** Layer for layer, without the inference rewrites and the shared source (the converter's --plain; for comparisons). */
  readonly plain?: boolean;
}

export interface ConverterResult {
  /** The Python process's exit code (0 done, 2 bad input, else failure); null if killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Everything the converter wrote to stderr (its one-sentence error on code 2). */
  readonly stderr: string;
}

/**
 * Runs `python -m marionette_convert convert …`, passing its progress lines (stdout)
 * to `onProgress` as they come; stderr is collected for the caller to report.
 */
export function runConverter(
  python: string,
  args: ConverterArgs,
  onProgress: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<ConverterResult> {
  // --name=value: a value that starts with "-" must not read as another option.
  const argv = ['-m', CONVERTER_PACKAGE, 'convert', `--checkpoint=${args.checkpoint}`, `--config=${args.config}`, `--out=${args.out}`];
  if (args.precision !== undefined) argv.push('--precision', args.precision);
  if (args.upsampleInterleave !== undefined) argv.push('--upsample-interleave', args.upsampleInterleave);
  if (args.winograd === false) argv.push('--no-winograd');
  if (args.plain === true) argv.push('--plain');
  const root = converterRoot();
  const pythonPath = env['PYTHONPATH'] ? `${root}${delimiter}${env['PYTHONPATH']}` : root;
  return new Promise((resolve, reject) => {
    const child = spawn(python, argv, {
      env: { ...env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onProgress(line.replace(/\r$/, ''));
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    // Stopping: SIGINT, which the converter turns into a clean stop (its staging folder removed, exit 130).
    const stop = () => child.kill('SIGINT');
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    child.on('error', reject);
    child.on('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', stop);
      if (pending !== '') onProgress(pending);
      resolve({ code, signal: exitSignal, stderr });
    });
  });
}
