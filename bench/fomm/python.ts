import { delimiter } from 'node:path';
import { converterRoot } from '../../src/convert/converter-location.js';
import { runProcess } from '../../src/engine/media/process.js';

export interface PythonResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `python -m <module> …` with the converter package on PYTHONPATH, output collected. */
export async function runPythonModule(python: string, module: string, args: readonly string[]): Promise<PythonResult> {
  const root = converterRoot();
  const pythonPath = process.env['PYTHONPATH'] ? `${root}${delimiter}${process.env['PYTHONPATH']}` : root;
  const r = await runProcess(python, ['-m', module, ...args], { env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' } });
  return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
}

export async function runPythonOrThrow(python: string, module: string, args: readonly string[]): Promise<string> {
  const r = await runPythonModule(python, module, args);
  if (r.code !== 0) throw new Error(`python -m ${module} ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
