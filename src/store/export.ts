/**
 * Dumps for moderators and operators that never contain secrets. Interaction
 * tokens live only in interaction_tokens, intakes and consent_waits; lease ids are internal. None is
 * exported, and the redacted file copy has the token table emptied and the file
 * rebuilt (VACUUM) so no deleted token remains in a free page.
 */
import { existsSync } from 'node:fs';
import { recentAudit, type AuditEntry } from './audit-log.js';
import type { StoreContext } from './context.js';
import Database from 'better-sqlite3';
import { getGuildSettings, type GuildSettingsView } from './guild-settings-repository.js';
import { rowToJob, type Job, type JobRow } from './job-record.js';
import { schemaVersion } from './migrations.js';

export interface RedactedDump {
  readonly schemaVersion: number;
  readonly exportedMs: number;
  readonly guildId: string | null;
  readonly jobs: readonly Job[];
  readonly settings: readonly GuildSettingsView[];
  readonly audit: readonly AuditEntry[];
}

/** Everything (or one guild's part) as plain data, without secrets. */
export function exportRedacted(ctx: StoreContext, guildId: string | null = null): RedactedDump {
  return ctx.db
    .transaction(() => {
      const rows = ctx.stmt('SELECT * FROM jobs WHERE @guild IS NULL OR guild_id = @guild ORDER BY seq').all({ guild: guildId }) as JobRow[];
      const guilds =
        guildId !== null
          ? [guildId]
          : (ctx.stmt('SELECT guild_id FROM guild_settings UNION SELECT guild_id FROM channel_rules ORDER BY 1').pluck().all() as string[]);
      return {
        schemaVersion: schemaVersion(ctx.db),
        exportedMs: ctx.clock.now(),
        guildId,
        jobs: rows.map(rowToJob),
        settings: guilds.map((g) => getGuildSettings(ctx, g)),
        audit: guilds.flatMap((g) => recentAudit(ctx, g, Number.MAX_SAFE_INTEGER)),
      };
    })
    .deferred();
}

/** Writes a consistent SQLite copy of the whole database to `destFile` with every secret removed. */
export function writeRedactedCopy(ctx: StoreContext, destFile: string): void {
  if (existsSync(destFile)) throw new Error(`Refusing to overwrite ${destFile}.`);
  ctx.db.prepare('VACUUM INTO ?').run(destFile);
  const copy = new Database(destFile);
  try {
    copy.pragma('secure_delete = ON');
    copy.exec(
      "DELETE FROM interaction_tokens; DELETE FROM intakes; DELETE FROM consent_waits; UPDATE jobs SET lease_id = 'redacted' WHERE lease_id IS NOT NULL;",
    );
    copy.exec('VACUUM');
  } finally {
    copy.close();
  }
}
