/**
 * Whether a request may be queued. Pure: the repository gathers the facts inside
 * the enqueue transaction and records the job only if this says ok.
 * Order of checks: enabled, channel, consent, input size, rate limits, the server's storage.
 */
import type { ConsentStatus } from './consent.js';
import type { GuildSettings } from './guild-settings.js';
import { evaluateRateLimits, type LimitName, type Usage } from './rate-limits.js';

export interface ChannelRules {
  readonly allow: readonly string[];
  readonly block: readonly string[];
}

export interface InputFacts {
  readonly drivingSeconds: number;
  readonly sourceBytes: number;
  readonly drivingBytes: number;
}

export interface AdmissionFacts {
  readonly settings: GuildSettings;
  readonly channels: ChannelRules;
  readonly channelId: string;
  /** The parent channel when the command came from a thread; 'unknown' when the channel itself is unknown to the bot. */
  readonly parentChannelId?: ParentChannel;
  readonly consent: ConsentStatus;
  /** Omitted for the early check before attachments are downloaded. */
  readonly inputs?: InputFacts;
  readonly usage: Usage;
  /** The server's files on disk and the operator's allowance for them (0: none). */
  readonly storage?: { readonly usedBytes: number; readonly maxBytes: number };
  readonly nowMs: number;
}

export type Refusal =
  | { readonly reason: 'disabled' }
  | { readonly reason: 'channel' }
  | { readonly reason: 'consent'; readonly consent: Exclude<ConsentStatus, 'accepted'> }
  | { readonly reason: 'too-long'; readonly seconds: number; readonly maxSeconds: number }
  | { readonly reason: 'too-large'; readonly bytes: number; readonly maxBytes: number }
  | { readonly reason: 'rate-limit'; readonly limit: LimitName; readonly max: number; readonly retryAtMs: number | null }
  /** incomingBytes: the files being added (0 in the early check, where only a full server is refused). */
  | { readonly reason: 'storage'; readonly usedBytes: number; readonly incomingBytes: number; readonly maxBytes: number; readonly retentionDays: number }
  /** Enqueue only: the member's data was deleted (forget-me, a purge) while the command was being prepared. */
  | { readonly reason: 'withdrawn' };

export type Admission = { readonly ok: true } | { readonly ok: false; readonly refusal: Refusal };

/**
 * A thread's parent channel; null for a channel that is not a thread; 'unknown' when the bot cannot see the
 * channel (a private thread it was never added to reaches it with an id only): then no parent can be checked.
 */
export type ParentChannel = string | null | 'unknown';

export function isChannelAllowed(rules: ChannelRules, channelId: string, parentChannelId?: ParentChannel): boolean {
  if (parentChannelId === 'unknown') {
    // Whether the unseen parent is blocked (or allowed) cannot be told: with rules in force, only a channel
    // named itself passes; without rules, anywhere does.
    if (rules.block.length === 0 && rules.allow.length === 0) return true;
    return !rules.block.includes(channelId) && rules.allow.includes(channelId);
  }
  const ids = parentChannelId ? [channelId, parentChannelId] : [channelId];
  if (ids.some((id) => rules.block.includes(id))) return false;
  if (rules.allow.length === 0) return true;
  return ids.some((id) => rules.allow.includes(id));
}

export function decideAdmission(f: AdmissionFacts): Admission {
  if (!f.settings.enabled) return { ok: false, refusal: { reason: 'disabled' } };
  if (!isChannelAllowed(f.channels, f.channelId, f.parentChannelId)) return { ok: false, refusal: { reason: 'channel' } };
  if (f.consent !== 'accepted') return { ok: false, refusal: { reason: 'consent', consent: f.consent } };
  if (f.inputs !== undefined) {
    const { drivingSeconds, sourceBytes, drivingBytes } = f.inputs;
    if (drivingSeconds > f.settings.maxDrivingSeconds) {
      return { ok: false, refusal: { reason: 'too-long', seconds: drivingSeconds, maxSeconds: f.settings.maxDrivingSeconds } };
    }
    const bytes = Math.max(sourceBytes, drivingBytes);
    if (bytes > f.settings.maxUploadBytes) {
      return { ok: false, refusal: { reason: 'too-large', bytes, maxBytes: f.settings.maxUploadBytes } };
    }
  }
  const rate = evaluateRateLimits(f.usage, f.settings, f.nowMs);
  if (!rate.ok) return { ok: false, refusal: { reason: 'rate-limit', ...rate.hit } };
  if (f.storage !== undefined && f.storage.maxBytes > 0) {
    // Before the download only what is stored counts; at enqueue the two files being added count too.
    const incoming = f.inputs === undefined ? 0 : f.inputs.sourceBytes + f.inputs.drivingBytes;
    const { usedBytes, maxBytes } = f.storage;
    if (usedBytes >= maxBytes || usedBytes + incoming > maxBytes) {
      return { ok: false, refusal: { reason: 'storage', usedBytes, incomingBytes: incoming, maxBytes, retentionDays: f.settings.retentionDays } };
    }
  }
  return { ok: true };
}
