/**
 * Commands between acknowledgement and enqueue (see schema-v2.ts). `open` when
 * the command is deferred, `close` when it was queued or refused; whatever is
 * still open when a process starts was interrupted.
 */
import type { StoreContext } from './context.js';
import { immediate } from './database.js';

export interface IntakeStart {
  readonly interactionId: string;
  readonly userId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly token: string;
  readonly createdMs: number;
}

export interface InterruptedIntake {
  readonly interactionId: string;
  readonly userId: string;
  readonly guildId: string;
  /** Still usable (null when it expired): the member can be told on the command's own reply. */
  readonly token: string | null;
}

export function openIntake(ctx: StoreContext, intake: IntakeStart): void {
  ctx
    .stmt(
      `INSERT OR REPLACE INTO intakes (interaction_id, user_id, guild_id, channel_id, token, expires_ms, created_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(intake.interactionId, intake.userId, intake.guildId, intake.channelId, intake.token, intake.createdMs + ctx.config.interactionTokenLifetimeMs, ctx.clock.now());
}

export function closeIntake(ctx: StoreContext, interactionId: string): void {
  ctx.stmt('DELETE FROM intakes WHERE interaction_id = ?').run(interactionId);
}

/**
 * Takes (and deletes) every intake opened before `openedBeforeMs` (default: all): at
 * start-up, those opened before the process started belong to one that died — and
 * those opened since are its own commands, already running. Tokens within the
 * safety margin of their expiry are not returned.
 */
export function takeInterruptedIntakes(ctx: StoreContext, openedBeforeMs?: number): InterruptedIntake[] {
  return immediate(ctx.db, () => {
    const now = ctx.clock.now();
    const before = openedBeforeMs ?? now + 1;
    const rows = ctx
      .stmt('SELECT interaction_id, user_id, guild_id, token, expires_ms FROM intakes WHERE created_ms < ?')
      .all(before) as Array<{ interaction_id: string; user_id: string; guild_id: string; token: string; expires_ms: number }>;
    ctx.stmt('DELETE FROM intakes WHERE created_ms < ?').run(before);
    return rows.map((r) => ({
      interactionId: r.interaction_id,
      userId: r.user_id,
      guildId: r.guild_id,
      token: r.expires_ms > now + ctx.config.tokenSafetyMarginMs ? r.token : null,
    }));
  });
}
