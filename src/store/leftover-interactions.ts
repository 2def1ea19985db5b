/**
 * Rows that hold a command's interaction token while the command is in a
 * process's hands: intakes (downloading its attachments) and consent waits
 * (its public "waiting" line). A process that starts takes those opened before
 * it started — a previous process's — and answers each through its token.
 */
import type { StoreContext } from './context.js';
import { immediate } from './database.js';

export interface LeftoverInteraction {
  readonly interactionId: string;
  readonly userId: string;
  readonly guildId: string;
  /** Still usable (null when it expired, or is about to): the command's reply can still be changed. */
  readonly token: string | null;
}

/** The tables holding such rows; each has interaction_id, user_id, guild_id, token, expires_ms and created_ms. */
export type LeftoverTable = 'intakes' | 'consent_waits';

/**
 * Takes (and deletes) the rows of `table` opened before `openedBeforeMs` (default: all). Rows opened since belong
 * to the running process: commands can arrive as soon as it is connected. Tokens within the safety margin of
 * their expiry are not returned.
 */
export function takeOpenedBefore(ctx: StoreContext, table: LeftoverTable, openedBeforeMs?: number): LeftoverInteraction[] {
  return immediate(ctx.db, () => {
    const now = ctx.clock.now();
    const before = openedBeforeMs ?? now + 1;
    const rows = ctx.stmt(`SELECT interaction_id, user_id, guild_id, token, expires_ms FROM ${table} WHERE created_ms < ?`).all(before) as Array<{
      interaction_id: string;
      user_id: string;
      guild_id: string;
      token: string;
      expires_ms: number;
    }>;
    ctx.stmt(`DELETE FROM ${table} WHERE created_ms < ?`).run(before);
    return rows.map((r) => ({
      interactionId: r.interaction_id,
      userId: r.user_id,
      guildId: r.guild_id,
      token: r.expires_ms > now + ctx.config.tokenSafetyMarginMs ? r.token : null,
    }));
  });
}
