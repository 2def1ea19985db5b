/** Opens the media store the settings name: local files under the data folder, or PostgreSQL through a pool or URL. */
import type pg from 'pg';
import { LocalMediaStore } from './local/local-media-store.js';
import type { MediaStore } from './media-store.js';
import { PostgresMediaStore } from './postgres/postgres-media-store.js';
import type { MediaSettings } from './settings.js';

export interface MediaStoreWhere {
  /** The data folder (local backend: objects in `<dataDir>/jobs/<jobId>/`). */
  readonly dataDir: string;
  /** PostgreSQL backend: the job store's pool, or a URL for a pool of the media store's own. */
  readonly pool?: pg.Pool;
  readonly databaseUrl?: string;
}

export async function openMediaStore(settings: MediaSettings, where: MediaStoreWhere): Promise<MediaStore> {
  if (settings.backend === 'local') return LocalMediaStore.forDataDir(where.dataDir, { chunkBytes: settings.chunkBytes });
  if (!where.pool && !where.databaseUrl) {
    throw new TypeError('The PostgreSQL media store (MARIONETTE_MEDIA=postgres) needs the PostgreSQL database: give it a pool or a URL.');
  }
  return PostgresMediaStore.open({ pool: where.pool, connectionString: where.databaseUrl, chunkBytes: settings.chunkBytes });
}
