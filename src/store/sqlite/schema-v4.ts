/**
 * Schema version 4: what a server's jobs hold on disk. Each /animate checks the
 * server's stored bytes against the operator's per-server allowance
 * (StoreConfig.guildStorageBytes); this covering index answers that sum from
 * the server's jobs whose files are still kept (expired_ms IS NULL), without
 * reading the jobs themselves nor the history rows whose files retention
 * already deleted.
 */
export const SCHEMA_V4 = `
CREATE INDEX jobs_guild_stored ON jobs (guild_id, expired_ms, source_bytes, driving_bytes, output_bytes);
`;
