import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../engine/errors.js';

/**
 * Finding the Python that runs the converter (the only Python in Marionette): it must
 * import torch and onnx. MARIONETTE_PYTHON wins when set; otherwise every `python3`
 * (then `python`) on PATH is tried in order, then the usual system locations — on
 * Debian the apt packages install into /usr/bin/python3, which a pyenv or venv
 * `python3` earlier on PATH may hide.
 */
export const INSTALL_HINT =
  'install python3-torch python3-onnx python3-yaml (Debian) or pip install torch onnx pyyaml, or set MARIONETTE_PYTHON to a Python that has them';

export const SYSTEM_PYTHONS: readonly string[] = ['/usr/bin/python3', '/usr/local/bin/python3', '/opt/homebrew/bin/python3'];

const PROBE = 'import torch, onnx, sys; print(sys.version.split()[0], torch.__version__, onnx.__version__)';
const PROBE_TIMEOUT_MS = 120_000;

export interface FoundPython {
  /** The command to run (as found: a path, or MARIONETTE_PYTHON as given). */
  readonly executable: string;
  /** "python 3.11.2, torch 1.13.0, onnx 1.12.0". */
  readonly versions: string;
}

export interface FindPythonOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Locations tried after PATH (default SYSTEM_PYTHONS). */
  readonly fallbacks?: readonly string[];
}

export async function findPython(options: FindPythonOptions = {}): Promise<FoundPython> {
  const env = options.env ?? process.env;
  const chosen = env['MARIONETTE_PYTHON'];
  if (chosen !== undefined && chosen.trim() !== '') {
    const probe = await probePython(chosen);
    if (probe.ok) return { executable: chosen, versions: probe.versions };
    throw new ConfigError(`MARIONETTE_PYTHON is set to ${chosen}, which cannot run the converter (${probe.reason}); ${INSTALL_HINT}.`, { python: chosen });
  }
  const tried: string[] = [];
  for (const candidate of pythonCandidates(env['PATH'] ?? '', options.fallbacks ?? SYSTEM_PYTHONS)) {
    tried.push(candidate);
    const probe = await probePython(candidate);
    if (probe.ok) return { executable: candidate, versions: probe.versions };
  }
  const where = tried.length > 0 ? `tried ${tried.join(', ')}` : 'no python3 found on PATH';
  throw new ConfigError(`The converter needs Python 3 with PyTorch and ONNX, and none was found (${where}): ${INSTALL_HINT}.`, { tried });
}

/** Executables to try, in order, each real file once (a symlink and its target count once). */
export function pythonCandidates(pathVariable: string, fallbacks: readonly string[]): string[] {
  const names = process.platform === 'win32' ? ['python3.exe', 'python.exe'] : ['python3', 'python'];
  const dirs = pathVariable.split(delimiter).filter((d) => d !== '');
  const ordered = [...names.flatMap((name) => dirs.map((dir) => join(dir, name))), ...fallbacks];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const file of ordered) {
    if (!isExecutableFile(file)) continue;
    const identity = realpathOrSelf(file);
    // pyenv shims and other wrappers resolve to themselves; only identical targets are merged.
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push(file);
  }
  return out;
}

type Probe = { readonly ok: true; readonly versions: string } | { readonly ok: false; readonly reason: string };

export function probePython(executable: string): Promise<Probe> {
  return new Promise((resolve) => {
    execFile(executable, ['-c', PROBE], { timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
      if (error === null) {
        const [python, torch, onnx] = stdout.trim().split(/\s+/);
        resolve({ ok: true, versions: `python ${python}, torch ${torch}, onnx ${onnx}` });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') resolve({ ok: false, reason: 'no such program' });
      else if (code === 'EACCES') resolve({ ok: false, reason: 'not executable' });
      else resolve({ ok: false, reason: lastLine(stderr) || error.message });
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim();
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
