/**
 * Dumps for moderators and operators that never contain secrets. Interaction
 * tokens live only in interaction_tokens, intakes and consent_waits; lease ids are internal. None is
 * exported, and the redacted file copy has the token table emptied and the file
 * rebuilt (VACUUM) so no deleted token remains in a free page.
 */
import { existsSync } from 'node:fs';
import { recentAudit, type AuditEntry } from './audit-log.js';
import { read, type StoreContext } from './context.js';
import Database from 'better-sqlite3';
import { getGuildSettings, type GuildSettingsView } from './guild-settings-repository.js';
import { rowToJob, type Job, type JobRow } from './job-record.js';

export interface RedactedDump {
  readonly schemaVersion: number;
  readonly exportedMs: number;
  readonly guildId: string | null;
  readonly jobs: readonly Job[];
  readonly settings: readonly GuildSettingsView[];
  readonly audit: readonly AuditEntry[];
}

/** Everything (or one guild's part) as plain data, without secrets. */
export function exportRedacted(ctx: StoreContext, schemaVersion: number, guildId: string | null = null): Promise<RedactedDump> {
  return read(ctx, async (tx) => {
    const rows =
      guildId === null
        ? await tx.sql.all<JobRow>('SELECT * FROM jobs ORDER BY seq')
        : await tx.sql.all<JobRow>('SELECT * FROM jobs WHERE guild_id = ? ORDER BY seq', [guildId]);
    const guilds =
      guildId !== null ? [guildId] : await tx.sql.column<string>('SELECT guild_id FROM guild_settings UNION SELECT guild_id FROM channel_rules ORDER BY 1');
    const settings: GuildSettingsView[] = [];
    const audit: AuditEntry[] = [];
    for (const g of guilds) {
      settings.push(await getGuildSettings(tx, g));
      audit.push(...(await recentAudit(tx, g, Number.MAX_SAFE_INTEGER)));
    }
    return { schemaVersion, exportedMs: tx.clock.now(), guildId, jobs: rows.map(rowToJob), settings, audit };
  });
}

/** Writes a consistent SQLite copy of the whole database to `destFile` with every secret removed (SQLite stores only). */
export function writeRedactedCopy(db: Database.Database, destFile: string): void {
  if (existsSync(destFile)) throw new Error(`Refusing to overwrite ${destFile}.`);
  db.prepare('VACUUM INTO ?').run(destFile);
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
