/** Who may animate where (src/store/admission.ts, consent.ts): enabled, channel rules, consent, sizes, limits, storage; pure, no database. */
import { describe, expect, it } from 'vitest';
import { consentStatus, decideAdmission, DEFAULT_GUILD_SETTINGS, isChannelAllowed } from '../../src/store/index.js';

describe('admission, consent, channels', () => {
  const base = {
    settings: DEFAULT_GUILD_SETTINGS,
    channels: { allow: [], block: [] },
    channelId: 'c',
    consent: 'accepted' as const,
    usage: { userRecentDesc: [], guildRecentDesc: [], userActive: 0 },
    nowMs: 0,
  };

  it('GIVEN a request failing several checks THEN the refusal is the first in order: enabled, channel, consent, size, limits, then storage', () => {
    expect(decideAdmission(base)).toEqual({ ok: true });
    expect(decideAdmission({ ...base, settings: { ...DEFAULT_GUILD_SETTINGS, enabled: false }, consent: 'unknown' })).toMatchObject({
      refusal: { reason: 'disabled' },
    });
    expect(decideAdmission({ ...base, channels: { allow: ['x'], block: [] }, consent: 'unknown' })).toMatchObject({ refusal: { reason: 'channel' } });
    expect(decideAdmission({ ...base, consent: 'expired' })).toMatchObject({ refusal: { reason: 'consent', consent: 'expired' } });
    expect(decideAdmission({ ...base, inputs: { drivingSeconds: 16, sourceBytes: 1, drivingBytes: 1 } })).toMatchObject({
      refusal: { reason: 'too-long', maxSeconds: 15 },
    });
    expect(decideAdmission({ ...base, inputs: { drivingSeconds: 1, sourceBytes: 26 * 1024 * 1024, drivingBytes: 1 } })).toMatchObject({
      refusal: { reason: 'too-large' },
    });
    expect(decideAdmission({ ...base, usage: { ...base.usage, userActive: 1 } })).toMatchObject({
      refusal: { reason: 'rate-limit', limit: 'user-concurrent' },
    });
    const full = { usedBytes: 100, maxBytes: 100 };
    expect(decideAdmission({ ...base, storage: full, usage: { ...base.usage, userActive: 1 } })).toMatchObject({ refusal: { reason: 'rate-limit' } });
    expect(decideAdmission({ ...base, storage: full })).toMatchObject({
      refusal: { reason: 'storage', usedBytes: 100, incomingBytes: 0, maxBytes: 100, retentionDays: 7 },
    });
  });

  it("GIVEN the server's storage allowance THEN the early check refuses a full server, and enqueue counts the incoming files too; 0 means none", () => {
    const inputs = { drivingSeconds: 1, sourceBytes: 10, drivingBytes: 20 };
    expect(decideAdmission({ ...base, storage: { usedBytes: 99, maxBytes: 100 } })).toEqual({ ok: true });
    expect(decideAdmission({ ...base, inputs, storage: { usedBytes: 70, maxBytes: 100 } })).toEqual({ ok: true });
    expect(decideAdmission({ ...base, inputs, storage: { usedBytes: 71, maxBytes: 100 } })).toMatchObject({ refusal: { reason: 'storage' } });
    expect(decideAdmission({ ...base, inputs, storage: { usedBytes: 10 ** 12, maxBytes: 0 } })).toEqual({ ok: true });
  });

  it('GIVEN allow and block rules THEN a blocked channel or one not allowed is refused, and a thread follows its parent unless blocked itself', () => {
    expect(isChannelAllowed({ allow: [], block: [] }, 'a')).toBe(true);
    expect(isChannelAllowed({ allow: [], block: ['a'] }, 'a')).toBe(false);
    expect(isChannelAllowed({ allow: ['p'], block: [] }, 'thread', 'p')).toBe(true);
    expect(isChannelAllowed({ allow: ['p'], block: ['thread'] }, 'thread', 'p')).toBe(false);
    expect(isChannelAllowed({ allow: ['p'], block: [] }, 'other')).toBe(false);
  });

  it('GIVEN a channel the bot cannot see (a private thread, parent unknown) THEN it passes only where no rule could apply', () => {
    expect(isChannelAllowed({ allow: [], block: [] }, 'thread', 'unknown')).toBe(true);
    // The unseen parent might be the blocked channel, or not the allowed one.
    expect(isChannelAllowed({ allow: [], block: ['p'] }, 'thread', 'unknown')).toBe(false);
    expect(isChannelAllowed({ allow: ['p'], block: [] }, 'thread', 'unknown')).toBe(false);
    expect(isChannelAllowed({ allow: ['thread'], block: [] }, 'thread', 'unknown')).toBe(true);
  });

  it("GIVEN consent older than the guild's epoch THEN it is expired; newer consent, a decline or no answer stand as they are", () => {
    expect(consentStatus(undefined, null)).toBe('unknown');
    expect(consentStatus({ consent: 'declined', consentMs: 5 }, null)).toBe('declined');
    expect(consentStatus({ consent: 'accepted', consentMs: 5 }, 10)).toBe('expired');
    expect(consentStatus({ consent: 'accepted', consentMs: 15 }, 10)).toBe('accepted');
  });
});
