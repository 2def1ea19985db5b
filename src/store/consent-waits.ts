/**
 * Public "waiting for the terms" replies (see schema-v5.ts): `open` when the
 * channel's line is shown, `close` when the command goes on or stops; whatever
 * is still open when a process starts belongs to a command that process forgot.
 */
import type { StoreContext } from './context.js';
import { takeOpenedBefore, type GuildFilter, type LeftoverInteraction } from './leftover-interactions.js';

export interface ConsentWaitStart {
  readonly interactionId: string;
  readonly userId: string;
  readonly guildId: string;
  readonly token: string;
  readonly createdMs: number;
}

/** A consent wait a previous process left: with a usable token, the channel's line can be removed. */
export type ForgottenConsentWait = LeftoverInteraction;

export async function openConsentWait(ctx: StoreContext, wait: ConsentWaitStart): Promise<void> {
  await ctx.sql.run(
    `INSERT INTO consent_waits (interaction_id, user_id, guild_id, token, expires_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (interaction_id) DO UPDATE SET user_id = excluded.user_id, guild_id = excluded.guild_id, token = excluded.token,
       expires_ms = excluded.expires_ms, created_ms = excluded.created_ms`,
    [wait.interactionId, wait.userId, wait.guildId, wait.token, wait.createdMs + ctx.config.interactionTokenLifetimeMs, ctx.clock.now()],
  );
}

export async function closeConsentWait(ctx: StoreContext, interactionId: string): Promise<void> {
  await ctx.sql.run('DELETE FROM consent_waits WHERE interaction_id = ?', [interactionId]);
}

/** Consent waits a previous process left: opened before `openedBeforeMs` (default: all); taken (deleted) as returned. */
export function takeForgottenConsentWaits(ctx: StoreContext, openedBeforeMs?: number, guilds?: GuildFilter): Promise<ForgottenConsentWait[]> {
  return takeOpenedBefore(ctx, 'consent_waits', openedBeforeMs, guilds);
}

/** Rows whose token has expired (a process that stopped for longer than the token lives); run by the sweep. */
export async function clearExpiredConsentWaits(ctx: StoreContext): Promise<number> {
  return (await ctx.sql.run('DELETE FROM consent_waits WHERE expires_ms <= ?', [ctx.clock.now()])).changes;
}
