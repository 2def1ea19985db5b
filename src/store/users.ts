/** Per-user state: consent (Accept / Decline) and when the user was last seen. */
import { consentStatus, type ConsentChoice, type ConsentStatus } from './consent.js';
import { write, type StoreContext } from './context.js';
import { greatest } from './sql/sql.js';

export interface UserRecord {
  readonly userId: string;
  readonly consent: ConsentChoice | null;
  readonly consentMs: number | null;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

interface UserRow {
  user_id: string;
  consent: ConsentChoice | null;
  consent_ms: number | null;
  first_seen_ms: number;
  last_seen_ms: number;
}

export async function getUser(ctx: StoreContext, userId: string): Promise<UserRecord | undefined> {
  const r = await ctx.sql.get<UserRow>('SELECT * FROM users WHERE user_id = ?', [userId]);
  return r === undefined
    ? undefined
    : { userId: r.user_id, consent: r.consent, consentMs: r.consent_ms, firstSeenMs: r.first_seen_ms, lastSeenMs: r.last_seen_ms };
}

/** Records that the user was seen now (creating the row on first sight). */
export async function touchUser(ctx: StoreContext, userId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.sql.run(
    `INSERT INTO users (user_id, first_seen_ms, last_seen_ms) VALUES (?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET last_seen_ms = ${greatest(ctx.sql, 'users.last_seen_ms', 'excluded.last_seen_ms')}`,
    [userId, now, now],
  );
}

/** Stores the user's Accept / Decline; the latest answer wins. */
export function setConsent(ctx: StoreContext, userId: string, choice: ConsentChoice): Promise<UserRecord> {
  return write(ctx, [`user:${userId}`], async (tx) => {
    await touchUser(tx, userId);
    await tx.sql.run('UPDATE users SET consent = ?, consent_ms = ? WHERE user_id = ?', [choice, tx.clock.now(), userId]);
    return (await getUser(tx, userId))!;
  });
}

export async function guildConsentEpoch(ctx: StoreContext, guildId: string): Promise<number | null> {
  return (await ctx.sql.value<number | null>('SELECT consent_epoch_ms FROM guild_settings WHERE guild_id = ?', [guildId])) ?? null;
}

/** Whether the user's consent counts in this guild. */
export async function userConsentStatus(ctx: StoreContext, userId: string, guildId: string): Promise<ConsentStatus> {
  return consentStatus(await getUser(ctx, userId), await guildConsentEpoch(ctx, guildId));
}
