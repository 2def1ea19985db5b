/**
 * Public "waiting for the terms" replies (see schema-v5.ts): `open` when the
 * channel's line is shown, `close` when the command goes on or stops; whatever
 * is still open when a process starts belongs to a command that process forgot.
 */
import type { StoreContext } from './context.js';
import { immediate } from './database.js';

export interface ConsentWaitStart {
  readonly interactionId: string;
  readonly userId: string;
  readonly guildId: string;
  readonly token: string;
  readonly createdMs: number;
}

export interface ForgottenConsentWait {
  readonly interactionId: string;
  readonly userId: string;
  /** Still usable (null when it expired, or is about to): the channel's line can be removed. */
  readonly token: string | null;
}

export function openConsentWait(ctx: StoreContext, wait: ConsentWaitStart): void {
  ctx
    .stmt('INSERT OR REPLACE INTO consent_waits (interaction_id, user_id, guild_id, token, expires_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?)')
    .run(wait.interactionId, wait.userId, wait.guildId, wait.token, wait.createdMs + ctx.config.interactionTokenLifetimeMs, ctx.clock.now());
}

export function closeConsentWait(ctx: StoreContext, interactionId: string): void {
  ctx.stmt('DELETE FROM consent_waits WHERE interaction_id = ?').run(interactionId);
}

/**
 * Takes (and deletes) every consent wait opened before `openedBeforeMs` (default: all): at start-up, those belong
 * to a process that is gone; those opened since are this process's own, still held.
 */
export function takeForgottenConsentWaits(ctx: StoreContext, openedBeforeMs?: number): ForgottenConsentWait[] {
  return immediate(ctx.db, () => {
    const now = ctx.clock.now();
    const before = openedBeforeMs ?? now + 1;
    const rows = ctx
      .stmt('SELECT interaction_id, user_id, token, expires_ms FROM consent_waits WHERE created_ms < ?')
      .all(before) as Array<{ interaction_id: string; user_id: string; token: string; expires_ms: number }>;
    ctx.stmt('DELETE FROM consent_waits WHERE created_ms < ?').run(before);
    return rows.map((r) => ({
      interactionId: r.interaction_id,
      userId: r.user_id,
      token: r.expires_ms > now + ctx.config.tokenSafetyMarginMs ? r.token : null,
    }));
  });
}

/** Rows whose token has expired (a process that stopped for longer than the token lives); run by the sweep. */
export function clearExpiredConsentWaits(ctx: StoreContext): number {
  return ctx.stmt('DELETE FROM consent_waits WHERE expires_ms <= ?').run(ctx.clock.now()).changes;
}
