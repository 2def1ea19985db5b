import { describe, expect, it } from 'vitest';
import { fixture, request, T0 } from './helpers.js';

describe('users and consent', () => {
  it("GIVEN a member's consent THEN it is stored with when they were seen; WHEN moderators ask again THEN it expires in that guild until given again", () => {
    const { store, clock } = fixture();
    expect(store.consentStatus('u', 'g1')).toBe('unknown');
    store.setConsent('u', 'accepted');
    expect(store.getUser('u')).toEqual({ userId: 'u', consent: 'accepted', consentMs: T0, firstSeenMs: T0, lastSeenMs: T0 });
    clock.advance(1000);
    store.requireConsentAgain('g1', 'mod');
    expect(store.consentStatus('u', 'g1')).toBe('expired');
    expect(store.consentStatus('u', 'g2')).toBe('accepted');
    expect(store.enqueue(request(store, { userId: 'u' }))).toMatchObject({ ok: false, refusal: { reason: 'consent', consent: 'expired' } });
    expect(store.auditLog('g1')[0]).toMatchObject({ action: 'consent.reset', actorId: 'mod', atMs: T0 + 1000 });
    clock.advance(1000);
    store.setConsent('u', 'accepted');
    expect(store.consentStatus('u', 'g1')).toBe('accepted');
    expect(store.getUser('u')).toMatchObject({ firstSeenMs: T0, lastSeenMs: T0 + 2000 });
  });
});
