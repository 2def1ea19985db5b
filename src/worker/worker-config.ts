/**
 * `marionette worker`'s settings, from the environment (and .env), read as the bot reads its own: the same variables
 * mean the same (docs/scale-out.md lists them). A worker runs at least one job at a time (MARIONETTE_WORKERS ≥ 1).
 */
import { loadRunSettings, type RunSettings } from '../config/run-settings.js';

export type WorkerConfig = RunSettings;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadRunSettings(env, 1);
}
