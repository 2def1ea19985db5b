/**
 * Consent rules. Pure. Consent is stored per user (Accept / Decline); a guild's
 * moderators can require it again from everyone, which sets the guild's consent
 * epoch: an acceptance older than the epoch no longer counts in that guild.
 */
export type ConsentChoice = 'accepted' | 'declined';
export type ConsentStatus = 'accepted' | 'declined' | 'unknown' | 'expired';

export interface ConsentRecord {
  readonly consent: ConsentChoice | null;
  readonly consentMs: number | null;
}

export function consentStatus(record: ConsentRecord | undefined, guildEpochMs: number | null): ConsentStatus {
  if (record === undefined || record.consent === null) return 'unknown';
  if (record.consent === 'declined') return 'declined';
  if (guildEpochMs !== null && (record.consentMs ?? 0) < guildEpochMs) return 'expired';
  return 'accepted';
}
