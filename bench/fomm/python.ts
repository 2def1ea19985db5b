import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { converterRoot } from '../../src/convert/converter-location.js';

export interface PythonResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `python -m <module> …` with the converter package on PYTHONPATH, output collected. */
export function runPythonModule(python: string, module: string, args: readonly string[]): Promise<PythonResult> {
  const root = converterRoot();
  const pythonPath = process.env['PYTHONPATH'] ? `${root}${delimiter}${process.env['PYTHONPATH']}` : root;
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', module, ...args], {
      env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function runPythonOrThrow(python: string, module: string, args: readonly string[]): Promise<string> {
  const r = await runPythonModule(python, module, args);
  if (r.code !== 0) throw new Error(`python -m ${module} ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
