/**
 * Commands between acknowledgement and enqueue (see schema-v2.ts). `open` when
 * the command is deferred, `close` when it was queued or refused; whatever is
 * still open when a process starts was interrupted.
 */
import { write, type StoreContext } from './context.js';
import { takeOpenedBefore, type GuildFilter, type LeftoverInteraction } from './leftover-interactions.js';

export interface IntakeStart {
  readonly interactionId: string;
  readonly userId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly token: string;
  readonly createdMs: number;
}

/** An intake a previous process left: with a usable token, the member can be told on the command's own reply. */
export type InterruptedIntake = LeftoverInteraction;

export async function openIntake(ctx: StoreContext, intake: IntakeStart): Promise<void> {
  await ctx.sql.run(
    `INSERT INTO intakes (interaction_id, user_id, guild_id, channel_id, token, expires_ms, created_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (interaction_id) DO UPDATE SET user_id = excluded.user_id, guild_id = excluded.guild_id, channel_id = excluded.channel_id,
       token = excluded.token, expires_ms = excluded.expires_ms, created_ms = excluded.created_ms`,
    [
      intake.interactionId,
      intake.userId,
      intake.guildId,
      intake.channelId,
      intake.token,
      intake.createdMs + ctx.config.interactionTokenLifetimeMs,
      ctx.clock.now(),
    ],
  );
}

/** Idempotent (deleting it twice is deleting it once): a delete whose answer was lost to a restart is sent again. */
export async function closeIntake(ctx: StoreContext, interactionId: string): Promise<void> {
  await write(ctx, [], (tx) => tx.sql.run('DELETE FROM intakes WHERE interaction_id = ?', [interactionId]), { idempotent: true });
}

/** Intakes a previous process left: opened before `openedBeforeMs` (default: all); taken (deleted) as returned. */
export function takeInterruptedIntakes(ctx: StoreContext, openedBeforeMs?: number, guilds?: GuildFilter): Promise<InterruptedIntake[]> {
  return takeOpenedBefore(ctx, 'intakes', openedBeforeMs, guilds);
}
