export { MEDIA_ROLES, MediaKeyError, mediaKey, parseMediaKey, type MediaKey, type MediaRole } from './media-key.js';
export {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_INCOMPLETE_GRACE_MS,
  type MediaBackend,
  type MediaObjectInfo,
  type MediaRead,
  type MediaSource,
  type MediaStore,
  type PutOptions,
} from './media-store.js';
export { MediaIntegrityError, MediaNotFoundError, MediaSchemaTooNewError, MediaWriteAbortedError, type IntegrityProblem } from './errors.js';
export { LocalMediaStore, type LocalMediaOptions } from './local/local-media-store.js';
export { PostgresMediaStore, type PostgresMediaOptions } from './postgres/postgres-media-store.js';
export { MEDIA_MIGRATIONS, mediaSchemaVersion, migrateMedia, type MediaMigration, type MediaMigrationResult } from './postgres/migrations.js';
export { mediaSettingsFromEnv, type MediaSettings } from './settings.js';
export { openMediaStore, type MediaStoreWhere } from './open-media-store.js';
