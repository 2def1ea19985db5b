/**
 * Rows that hold a command's interaction token while the command is in a
 * process's hands: intakes (downloading its attachments) and consent waits
 * (its public "waiting" line). A process that starts takes those opened before
 * it started — a previous process's — and answers each through its token.
 */
import { write, type StoreContext } from './context.js';

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
 * Which guilds' rows a process may take: a gateway shard owns the commands of its own guilds only (another
 * running shard's rows are that shard's, still in progress). Absent: every guild (one process).
 */
export type GuildFilter = (guildId: string) => boolean;

/**
 * Takes (and deletes) the rows of `table` opened before `openedBeforeMs` (default: all). Rows opened since belong
 * to the running process: commands can arrive as soon as it is connected. Tokens within the safety margin of
 * their expiry are not returned.
 */
export function takeOpenedBefore(ctx: StoreContext, table: LeftoverTable, openedBeforeMs?: number, guilds?: GuildFilter): Promise<LeftoverInteraction[]> {
  return write(ctx, [table], async (tx) => {
    const now = tx.clock.now();
    const before = openedBeforeMs ?? now + 1;
    const found = await tx.sql.all<{ interaction_id: string; user_id: string; guild_id: string; token: string; expires_ms: number }>(
      `SELECT interaction_id, user_id, guild_id, token, expires_ms FROM ${table} WHERE created_ms < ?`,
      [before],
    );
    const rows = guilds === undefined ? found : found.filter((r) => guilds(r.guild_id));
    for (const r of rows) await tx.sql.run(`DELETE FROM ${table} WHERE interaction_id = ?`, [r.interaction_id]);
    return rows.map((r) => ({
      interactionId: r.interaction_id,
      userId: r.user_id,
      guildId: r.guild_id,
      token: r.expires_ms > now + tx.config.tokenSafetyMarginMs ? r.token : null,
    }));
  });
}
