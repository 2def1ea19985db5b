/** Per-user state: consent (Accept / Decline) and when the user was last seen. */
import { consentStatus, type ConsentChoice, type ConsentStatus } from './consent.js';
import type { StoreContext } from './context.js';
import { immediate } from './database.js';

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

export function getUser(ctx: StoreContext, userId: string): UserRecord | undefined {
  const r = ctx.stmt('SELECT * FROM users WHERE user_id = ?').get(userId) as UserRow | undefined;
  return r === undefined
    ? undefined
    : { userId: r.user_id, consent: r.consent, consentMs: r.consent_ms, firstSeenMs: r.first_seen_ms, lastSeenMs: r.last_seen_ms };
}

/** Records that the user was seen now (creating the row on first sight). */
export function touchUser(ctx: StoreContext, userId: string): void {
  const now = ctx.clock.now();
  ctx
    .stmt(
      `INSERT INTO users (user_id, first_seen_ms, last_seen_ms) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET last_seen_ms = MAX(last_seen_ms, excluded.last_seen_ms)`,
    )
    .run(userId, now, now);
}

/** Stores the user's Accept / Decline; the latest answer wins. */
export function setConsent(ctx: StoreContext, userId: string, choice: ConsentChoice): UserRecord {
  return immediate(ctx.db, () => {
    touchUser(ctx, userId);
    ctx.stmt('UPDATE users SET consent = ?, consent_ms = ? WHERE user_id = ?').run(choice, ctx.clock.now(), userId);
    return getUser(ctx, userId)!;
  });
}

export function guildConsentEpoch(ctx: StoreContext, guildId: string): number | null {
  const r = ctx.stmt('SELECT consent_epoch_ms FROM guild_settings WHERE guild_id = ?').get(guildId) as { consent_epoch_ms: number | null } | undefined;
  return r?.consent_epoch_ms ?? null;
}

/** Whether the user's consent counts in this guild. */
export function userConsentStatus(ctx: StoreContext, userId: string, guildId: string): ConsentStatus {
  return consentStatus(getUser(ctx, userId), guildConsentEpoch(ctx, guildId));
}
