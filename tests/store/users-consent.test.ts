import { describe, expect, it } from 'vitest';
import { fixture, request, T0 } from './helpers.js';

describe('users and consent', () => {
  it(
    "GIVEN a member's consent THEN it is stored with when they were seen; " + 'WHEN moderators ask again THEN it expires in that guild until given again',
    async () => {
      const { store, clock } = await fixture();
      expect(await store.consentStatus('u', 'g1')).toBe('unknown');
      await store.setConsent('u', 'accepted');
      expect(await store.getUser('u')).toEqual({ userId: 'u', consent: 'accepted', consentMs: T0, firstSeenMs: T0, lastSeenMs: T0 });
      clock.advance(1000);
      await store.requireConsentAgain('g1', 'mod');
      expect(await store.consentStatus('u', 'g1')).toBe('expired');
      expect(await store.consentStatus('u', 'g2')).toBe('accepted');
      expect(await store.enqueue(request(store, { userId: 'u' }))).toMatchObject({ ok: false, refusal: { reason: 'consent', consent: 'expired' } });
      expect((await store.auditLog('g1'))[0]).toMatchObject({ action: 'consent.reset', actorId: 'mod', atMs: T0 + 1000 });
      clock.advance(1000);
      await store.setConsent('u', 'accepted');
      expect(await store.consentStatus('u', 'g1')).toBe('accepted');
      expect(await store.getUser('u')).toMatchObject({ firstSeenMs: T0, lastSeenMs: T0 + 2000 });
    },
  );
});
