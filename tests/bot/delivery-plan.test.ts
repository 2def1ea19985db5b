import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { attachesClip, deliveryRetryDelayMs, deliveryRoutes, MAX_DELIVERY_ATTEMPTS, placeOfEarlierClip } from '../../src/bot/delivery/plan.js';
import { isRouteClosed } from '../../src/bot/discord/api.js';

describe('deliveryRoutes and attachesClip', () => {
  it('GIVEN public results THEN the interaction, the channel, then a DM; the clip on every route', () => {
    expect(deliveryRoutes('public', true)).toEqual(['interaction', 'channel', 'dm']);
    expect(deliveryRoutes('public', false)).toEqual(['channel', 'dm']);
    expect(['interaction', 'channel', 'dm'].every((r) => attachesClip('public', r as 'interaction'))).toBe(true);
  });
  it('GIVEN private results THEN a DM before the channel, and never the clip in the channel', () => {
    expect(deliveryRoutes('requester', true)).toEqual(['interaction', 'dm', 'channel']);
    expect(attachesClip('requester', 'channel')).toBe(false);
    expect(attachesClip('requester', 'dm')).toBe(true);
  });
});

describe('placeOfEarlierClip', () => {
  it('GIVEN an attempt in doubt THEN a retry looks where it may have left the clip: the channel for public results, the DM for a DM', () => {
    expect(placeOfEarlierClip('public', 'interaction')).toBe('channel');
    expect(placeOfEarlierClip('public', 'channel')).toBe('channel');
    expect(placeOfEarlierClip('public', 'dm')).toBe('dm');
    expect(placeOfEarlierClip('requester', 'dm')).toBe('dm');
  });
  it('GIVEN a private result, or nothing in doubt THEN there is nowhere to look (an ephemeral follow-up, a notice without the clip)', () => {
    expect(placeOfEarlierClip('requester', 'interaction')).toBeNull();
    expect(placeOfEarlierClip('requester', 'channel')).toBeNull();
    expect(placeOfEarlierClip('public', null)).toBeNull();
  });
});

describe('deliveryRetryDelayMs', () => {
  it('GIVEN transient failures THEN two quick retries, then 15 s doubling, capped at an hour', () => {
    expect([1, 2, 3, 4, 5, 9, 10, 11].map(deliveryRetryDelayMs)).toEqual([0, 0, 15_000, 30_000, 60_000, 960_000, 1_920_000, 3_600_000]);
  });
  it('GIVEN every attempt fails THEN giving up takes about two hours (as docs/reliability.md says), not the few minutes of a short outage', () => {
    let total = 0;
    for (let attempts = 1; attempts < MAX_DELIVERY_ATTEMPTS; attempts++) total += deliveryRetryDelayMs(attempts);
    expect(total).toBeGreaterThan(2 * 3_600_000);
    expect(total).toBeLessThan(2.25 * 3_600_000);
  });
});

describe('isRouteClosed', () => {
  const error = (status: number, code: number) => new DiscordAPIError({ code, message: 'x' }, code, status, 'POST', 'https://discord.test/api', {});
  it.each([
    [403, 50007, 'DMs closed'],
    [403, 50013, 'missing permissions'],
    [404, 10003, 'unknown channel'],
    [401, 50014, 'token gone'],
    [413, 40005, 'file too large for this route'],
    [400, 50035, 'a request Discord rejects'],
  ])('GIVEN %i %i (%s) THEN the next route is tried', (status, code) => expect(isRouteClosed(error(status, code))).toBe(true));
  it.each([500, 502, 503, 429])('GIVEN %i THEN the same route is retried later', (status) => expect(isRouteClosed(error(status, 0))).toBe(false));
  it('GIVEN a network error THEN retried later', () => expect(isRouteClosed(new Error('ECONNRESET'))).toBe(false));
});
