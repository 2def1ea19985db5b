/**
 * Opens what every process that handles jobs needs: the job store (SQLite in the data folder, or PostgreSQL by
 * DATABASE_URL) and, with MARIONETTE_MEDIA=postgres, the media store that carries jobs' files between hosts — the
 * job store deletes a job's media with its files. `close` closes both.
 */
import type { RunSettings } from '../config/run-settings.js';
import { openMediaStore, type MediaStore } from '../media/index.js';
import { Store, type StoreConfig } from '../store/index.js';
import type { Logger } from '../util/log.js';
import { JobFiles } from './job-files.js';

export interface JobStorage {
  readonly store: Store;
  readonly files: JobFiles;
  close(): Promise<void>;
}

export async function openJobStorage(settings: RunSettings, storeConfig: Partial<StoreConfig>, logger: Logger): Promise<JobStorage> {
  const media: MediaStore | null =
    settings.media.backend === 'postgres'
      ? await openMediaStore(settings.media, { dataDir: settings.dataDir, databaseUrl: settings.databaseUrl ?? undefined })
      : null;
  let store: Store;
  try {
    store = await Store.open({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, config: storeConfig, media });
  } catch (e) {
    await media?.close();
    throw e;
  }
  const recovered = store.startupRecovery;
  logger.info('store opened', {
    file: store.file,
    schema: store.migration,
    media: media?.backend ?? 'files',
    requeued: recovered.requeued.length,
    failed: recovered.failed.length,
  });
  return {
    store,
    files: new JobFiles((id) => store.jobDirectory(id), media),
    async close() {
      await store.close();
      await media?.close();
    },
  };
}
