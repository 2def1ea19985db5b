/**
 * The media store's settings, from the environment (for src/config.ts to include; one sentence naming the variable
 * when a value is wrong, as the rest of the configuration does):
 *   MARIONETTE_MEDIA           local (default: files under the data folder, one machine) or postgres (in the
 *                              PostgreSQL database the job store uses, for workers on other hosts)
 *   MARIONETTE_MEDIA_CHUNK_KB  size of a verified chunk (a row in PostgreSQL), 64 to 16384, default 1024
 */
import { ConfigError } from '../engine/errors.js';
import { DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, type MediaBackend } from './media-store.js';

export interface MediaSettings {
  readonly backend: MediaBackend;
  readonly chunkBytes: number;
}

const BACKENDS: readonly MediaBackend[] = ['local', 'postgres'];

export function mediaSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MediaSettings {
  const backend = (env['MARIONETTE_MEDIA']?.trim() || 'local') as MediaBackend;
  if (!BACKENDS.includes(backend)) throw new ConfigError(`MARIONETTE_MEDIA must be one of ${BACKENDS.join(', ')}, not "${backend}".`);
  const kb = env['MARIONETTE_MEDIA_CHUNK_KB']?.trim() || String(DEFAULT_CHUNK_BYTES / 1024);
  const [min, max] = [MIN_CHUNK_BYTES / 1024, MAX_CHUNK_BYTES / 1024];
  if (!/^\d+$/.test(kb) || Number(kb) < min || Number(kb) > max) {
    throw new ConfigError(`MARIONETTE_MEDIA_CHUNK_KB must be a whole number from ${min} to ${max}, not "${kb}".`);
  }
  return { backend, chunkBytes: Number(kb) * 1024 };
}
