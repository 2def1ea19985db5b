/**
 * The audit log: who changed what in a guild, and when. Append-only; entries are
 * written in the same transaction as the change they describe.
 */
import type { StoreContext } from './context.js';
import type { JsonObject } from './job-record.js';

export type AuditAction = 'settings.update' | 'settings.reset' | 'channel.rule' | 'consent.reset' | 'purge.user';

export interface AuditEntry {
  readonly id: number;
  readonly atMs: number;
  readonly guildId: string;
  readonly actorId: string;
  readonly action: AuditAction;
  readonly targetId: string | null;
  readonly detail: JsonObject;
}

interface AuditRow {
  id: number;
  at_ms: number;
  guild_id: string;
  actor_id: string;
  action: AuditAction;
  target_id: string | null;
  detail_json: string;
}

export async function recordAudit(
  ctx: StoreContext,
  entry: { guildId: string; actorId: string; action: AuditAction; targetId?: string | null; detail?: JsonObject },
): Promise<void> {
  await ctx.sql.run('INSERT INTO audit_log (at_ms, guild_id, actor_id, action, target_id, detail_json) VALUES (?, ?, ?, ?, ?, ?)', [
    ctx.clock.now(),
    entry.guildId,
    entry.actorId,
    entry.action,
    entry.targetId ?? null,
    JSON.stringify(entry.detail ?? {}),
  ]);
}

/** A guild's latest audit entries, newest first. */
export async function recentAudit(ctx: StoreContext, guildId: string, limit = 20): Promise<AuditEntry[]> {
  const rows = await ctx.sql.all<AuditRow>('SELECT * FROM audit_log WHERE guild_id = ? ORDER BY id DESC LIMIT ?', [guildId, limit]);
  return rows.map((r) => ({
    id: r.id,
    atMs: r.at_ms,
    guildId: r.guild_id,
    actorId: r.actor_id,
    action: r.action,
    targetId: r.target_id,
    detail: JSON.parse(r.detail_json) as JsonObject,
  }));
}
