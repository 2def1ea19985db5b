/**
 * Guild settings in SQLite. Unset columns mean "the documented default", so a
 * guild that never changed a setting follows the defaults. Every change is
 * validated first and written together with its audit entry.
 */
import type { ChannelRules } from './admission.js';
import { recordAudit } from './audit-log.js';
import { write, type StoreContext } from './context.js';
import {
  DEFAULT_GUILD_SETTINGS,
  SETTING_KEYS,
  validateSettingsPatch,
  type GuildSettings,
  type SettingChange,
  type SettingKey,
  type SettingProblem,
} from './guild-settings.js';
import type { JsonObject, JsonValue } from './job-record.js';

const COLUMNS: Readonly<Record<SettingKey, string>> = {
  enabled: 'enabled',
  perUserPerHour: 'per_user_per_hour',
  perUserPerDay: 'per_user_per_day',
  perUserConcurrent: 'per_user_concurrent',
  guildPerDay: 'guild_per_day',
  maxDrivingSeconds: 'max_driving_seconds',
  maxUploadBytes: 'max_upload_bytes',
  visibility: 'visibility',
  retentionDays: 'retention_days',
};

export interface GuildSettingsView extends GuildSettings {
  readonly guildId: string;
  readonly channels: ChannelRules;
  /** Consent given before this time does not count in this guild. */
  readonly consentEpochMs: number | null;
  /** Settings a moderator set explicitly (the rest follow the defaults). */
  readonly customized: readonly SettingKey[];
  readonly updatedMs: number | null;
  readonly updatedBy: string | null;
}

export type SettingsUpdate =
  | { readonly ok: true; readonly settings: GuildSettingsView; readonly changes: readonly SettingChange[] }
  | { readonly ok: false; readonly problems: readonly SettingProblem[] };

type SettingsRow = Record<string, string | number | null>;

export async function getGuildSettings(ctx: StoreContext, guildId: string): Promise<GuildSettingsView> {
  const row = await ctx.sql.get<SettingsRow>('SELECT * FROM guild_settings WHERE guild_id = ?', [guildId]);
  const values: Record<string, unknown> = { ...DEFAULT_GUILD_SETTINGS };
  const customized: SettingKey[] = [];
  for (const key of SETTING_KEYS) {
    const v = row?.[COLUMNS[key]];
    if (v === null || v === undefined) continue;
    values[key] = key === 'enabled' ? v === 1 : v;
    customized.push(key);
  }
  const rules = await ctx.sql.all<{ channel_id: string; rule: 'allow' | 'block' }>(
    'SELECT channel_id, rule FROM channel_rules WHERE guild_id = ? ORDER BY channel_id',
    [guildId],
  );
  return {
    ...(values as unknown as GuildSettings),
    guildId,
    channels: {
      allow: rules.filter((r) => r.rule === 'allow').map((r) => r.channel_id),
      block: rules.filter((r) => r.rule === 'block').map((r) => r.channel_id),
    },
    consentEpochMs: (row?.['consent_epoch_ms'] as number | null | undefined) ?? null,
    customized,
    updatedMs: (row?.['updated_ms'] as number | undefined) ?? null,
    updatedBy: (row?.['updated_by'] as string | undefined) ?? null,
  };
}

async function touchRow(ctx: StoreContext, guildId: string, actorId: string): Promise<void> {
  await ctx.sql.run(
    `INSERT INTO guild_settings (guild_id, updated_ms, updated_by) VALUES (?, ?, ?)
     ON CONFLICT (guild_id) DO UPDATE SET updated_ms = excluded.updated_ms, updated_by = excluded.updated_by`,
    [guildId, ctx.clock.now(), actorId],
  );
}

function toColumnValue(value: JsonValue): string | number | null {
  return typeof value === 'boolean' ? (value ? 1 : 0) : (value as string | number | null);
}

function changesDetail(changes: readonly SettingChange[]): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const c of changes) out[c.key] = { from: c.from, to: c.to };
  return out;
}

/** Validates and applies a moderator's patch; audited. A patch that changes nothing writes nothing. */
export function updateGuildSettings(ctx: StoreContext, guildId: string, patch: Readonly<Record<string, unknown>>, actorId: string): Promise<SettingsUpdate> {
  return write(ctx, [`guild:${guildId}`], async (tx) => {
    const current = await getGuildSettings(tx, guildId);
    const v = validateSettingsPatch(current, patch);
    if (!v.ok) return v;
    if (v.changes.length > 0) {
      await touchRow(tx, guildId, actorId);
      for (const c of v.changes) await tx.sql.run(`UPDATE guild_settings SET ${COLUMNS[c.key]} = ? WHERE guild_id = ?`, [toColumnValue(c.to), guildId]);
      await recordAudit(tx, { guildId, actorId, action: 'settings.update', detail: { changes: changesDetail(v.changes) } });
    }
    return { ok: true, settings: await getGuildSettings(tx, guildId), changes: v.changes };
  });
}

/** Returns the given settings (default: all) to their defaults; audited. */
export function resetGuildSettings(ctx: StoreContext, guildId: string, actorId: string, keys: readonly SettingKey[] = SETTING_KEYS): Promise<SettingsUpdate> {
  return write(ctx, [`guild:${guildId}`], async (tx) => {
    const current = await getGuildSettings(tx, guildId);
    const changes = keys.filter((k) => current.customized.includes(k)).map((k) => ({ key: k, from: current[k], to: DEFAULT_GUILD_SETTINGS[k] }));
    if (changes.length > 0) {
      await touchRow(tx, guildId, actorId);
      for (const c of changes) await tx.sql.run(`UPDATE guild_settings SET ${COLUMNS[c.key]} = NULL WHERE guild_id = ?`, [guildId]);
      await recordAudit(tx, { guildId, actorId, action: 'settings.reset', detail: { changes: changesDetail(changes) } });
    }
    return { ok: true, settings: await getGuildSettings(tx, guildId), changes };
  });
}

/** Allows or blocks a channel (null removes its rule); audited. */
export function setChannelRule(
  ctx: StoreContext,
  guildId: string,
  channelId: string,
  rule: 'allow' | 'block' | null,
  actorId: string,
): Promise<GuildSettingsView> {
  return write(ctx, [`guild:${guildId}`], async (tx) => {
    const before = await tx.sql.value<string>('SELECT rule FROM channel_rules WHERE guild_id = ? AND channel_id = ?', [guildId, channelId]);
    if ((before ?? null) !== rule) {
      if (rule === null) await tx.sql.run('DELETE FROM channel_rules WHERE guild_id = ? AND channel_id = ?', [guildId, channelId]);
      else {
        await tx.sql.run(
          'INSERT INTO channel_rules (guild_id, channel_id, rule) VALUES (?, ?, ?) ON CONFLICT (guild_id, channel_id) DO UPDATE SET rule = excluded.rule',
          [guildId, channelId, rule],
        );
      }
      await touchRow(tx, guildId, actorId);
      await recordAudit(tx, { guildId, actorId, action: 'channel.rule', targetId: channelId, detail: { from: before ?? null, to: rule } });
    }
    return getGuildSettings(tx, guildId);
  });
}

/** Makes every member accept the terms again before their next job in this guild; audited. */
export function requireConsentAgain(ctx: StoreContext, guildId: string, actorId: string): Promise<GuildSettingsView> {
  return write(ctx, [`guild:${guildId}`], async (tx) => {
    await touchRow(tx, guildId, actorId);
    await tx.sql.run('UPDATE guild_settings SET consent_epoch_ms = ? WHERE guild_id = ?', [tx.clock.now(), guildId]);
    await recordAudit(tx, { guildId, actorId, action: 'consent.reset' });
    return getGuildSettings(tx, guildId);
  });
}
