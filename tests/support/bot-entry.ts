import { join } from 'node:path';
import { runProcess } from '../../src/engine/media/process.js';
import { REPO_ROOT } from './cli.js';

/**
 * Runs one of the bot's built entry points (`main.js` is `npm start`) as a
 * child process with only the given Discord/Marionette settings: the test
 * runner's own DISCORD_* and MARIONETTE_* variables are left out.
 */
export async function runBotEntry(
  script: 'main.js' | 'deploy-commands.js',
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; out: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DISCORD_') && !k.startsWith('MARIONETTE_')));
  const r = await runProcess(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'bot', script)], { cwd: REPO_ROOT, env: { ...clean, ...env }, timeoutMs });
  return { code: r.code, out: r.stdout.toString() + r.stderr };
}
