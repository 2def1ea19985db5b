/** MARIONETTE_MEDIA and MARIONETTE_MEDIA_CHUNK_KB, and the store they open. */
import { describe, expect, it } from 'vitest';
import { LocalMediaStore, mediaSettingsFromEnv, openMediaStore } from '../../src/media/index.js';
import { tempDir } from '../support/temp-dir.js';

describe('media settings', () => {
  it('default to local files in 1 MiB chunks', () => {
    expect(mediaSettingsFromEnv({})).toEqual({ backend: 'local', chunkBytes: 1024 * 1024 });
    expect(mediaSettingsFromEnv({ MARIONETTE_MEDIA: 'postgres', MARIONETTE_MEDIA_CHUNK_KB: '256' })).toEqual({ backend: 'postgres', chunkBytes: 256 * 1024 });
  });

  it('refuse what they do not know with one sentence naming the variable', () => {
    expect(() => mediaSettingsFromEnv({ MARIONETTE_MEDIA: 's3' })).toThrow('MARIONETTE_MEDIA must be one of local, postgres, not "s3".');
    expect(() => mediaSettingsFromEnv({ MARIONETTE_MEDIA_CHUNK_KB: '32' })).toThrow(
      'MARIONETTE_MEDIA_CHUNK_KB must be a whole number from 64 to 16384, not "32".',
    );
    expect(() => mediaSettingsFromEnv({ MARIONETTE_MEDIA_CHUNK_KB: '1.5' })).toThrow(/MARIONETTE_MEDIA_CHUNK_KB/);
  });

  it('open the local store in the data folder, and the PostgreSQL one only with a database', async () => {
    const dataDir = tempDir();
    const local = await openMediaStore({ backend: 'local', chunkBytes: 64 * 1024 }, { dataDir });
    expect(local).toBeInstanceOf(LocalMediaStore);
    expect((local as LocalMediaStore).root).toBe(`${dataDir}/jobs`);
    await expect(openMediaStore({ backend: 'postgres', chunkBytes: 1024 * 1024 }, { dataDir })).rejects.toThrow(/needs the PostgreSQL database/);
  });
});
