import { CancelledError, ConfigError, InputError } from '../engine/errors.js';
import { createLogger } from '../util/log.js';
import { UsageError } from './args.js';

/** 0 success · 1 internal error · 2 bad input or usage · 78 configuration (a missing program or setting) · 130 interrupted. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_CONFIG = 78;
export const EXIT_INTERRUPTED = 130;

/** Prints an error the way a CLI user needs it and returns the exit code. */
export function reportError(e: unknown, command: string, usageHint: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(`marionette ${command}: ${e.message}\n${usageHint}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof InputError) {
    process.stderr.write(`${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof ConfigError) {
    process.stderr.write(`marionette ${command}: ${e.message}\n`);
    return EXIT_CONFIG;
  }
  if (e instanceof CancelledError) {
    process.stderr.write('Cancelled; no output was written.\n');
    return EXIT_INTERRUPTED;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`marionette ${command}: internal error: ${err.message}\n`);
  createLogger({ level: 'error' }).error('internal error', { command, error: err, context: (err as { context?: unknown }).context });
  return EXIT_INTERNAL;
}
