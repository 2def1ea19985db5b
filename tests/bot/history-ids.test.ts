import { describe, expect, it } from 'vitest';
import { historyIds, parseForgetButton, parseHistoryDelete, parseHistoryDeleteYes, parseHistoryPage, parseHistoryShow } from '../../src/bot/history/ids.js';
import { customIds, parseConsentButton } from '../../src/bot/discord/custom-ids.js';
import { encodeCursor, newJobId } from '../../src/store/index.js';

/** The custom ids of /history and /forget-me: round trips, strict refusals, length. */
const job = newJobId(Date.now());
const cursor = encodeCursor(Number.MAX_SAFE_INTEGER); // the longest cursor the store makes
const user = '123456789012345678';

describe('history button ids', () => {
  it('GIVEN each id THEN its own parser reads back what was formatted', () => {
    expect(parseHistoryPage(historyIds.page(null))).toEqual({ page: null });
    expect(parseHistoryPage(historyIds.page({ cursor, direction: 'older' }))).toEqual({ page: { cursor, direction: 'older' } });
    expect(parseHistoryPage(historyIds.page({ cursor: 'h2s', direction: 'newer' }))).toEqual({ page: { cursor: 'h2s', direction: 'newer' } });
    expect(parseHistoryShow(historyIds.show(job, 'me'))).toEqual({ jobId: job, target: 'me' });
    expect(parseHistoryShow(historyIds.show(job, 'channel'))).toEqual({ jobId: job, target: 'channel' });
    expect(parseHistoryDelete(historyIds.delete(job, null))).toEqual({ jobId: job, page: null });
    expect(parseHistoryDeleteYes(historyIds.deleteYes(job, { cursor, direction: 'newer' }))).toEqual({ jobId: job, page: { cursor, direction: 'newer' } });
    expect(parseForgetButton(historyIds.forget('confirm', user))).toEqual({ action: 'confirm', userId: user });
    expect(parseForgetButton(historyIds.forget('cancel', user))).toEqual({ action: 'cancel', userId: user });
  });

  it('GIVEN the longest ids THEN they fit in Discord’s 100 characters', () => {
    const longest = [
      historyIds.deleteYes(job, { cursor, direction: 'newer' }),
      historyIds.page({ cursor, direction: 'older' }),
      historyIds.show(job, 'channel'),
    ];
    for (const id of longest) expect(id.length).toBeLessThanOrEqual(100);
  });

  it('GIVEN an id of another handler THEN no history parser takes it', () => {
    const others = [`job:cancel:${job}`, `consent:accept:${user}`, historyIds.forget('confirm', user)];
    for (const id of others) {
      expect(parseHistoryPage(id)).toBeNull();
      expect(parseHistoryShow(id)).toBeNull();
      expect(parseHistoryDelete(id)).toBeNull();
      expect(parseHistoryDeleteYes(id)).toBeNull();
    }
    expect(parseHistoryDelete(historyIds.deleteYes(job, null))).toBeNull();
    expect(parseHistoryDeleteYes(historyIds.delete(job, null))).toBeNull();
  });

  it.each([
    'history:page',
    'history:page:',
    'history:page:latest:older',
    'history:page:h2s',
    'history:page:h2s:sideways',
    'history:page:x2s:older',
    'history:page:h:older',
    'history:page:H2S:older',
    'history:page:h2s:older:extra',
    `history:page:h${'z'.repeat(12)}:older`,
    'history:page:h0:older',
  ])('GIVEN a malformed page id (%s) THEN it is refused', (id) => {
    expect(parseHistoryPage(id)).toBeNull();
  });

  it.each([
    `history:show:${job}`,
    `history:show:${job}:everyone`,
    `history:show:${job}:me:extra`,
    `history:show:${job.toUpperCase()}:me`,
    `history:show:${job.slice(1)}:me`,
    `history:show:../../etc/passwd:me`,
    `history:delete:${job}`,
    `history:delete:${job}:h2s`,
    `history:delete:${job}:latest:older`,
    `history:delete-yes:${job}:h2s:older:x`,
    `history:delete-yes:not-a-job:latest`,
  ])('GIVEN a malformed show or delete id (%s) THEN it is refused', (id) => {
    expect(parseHistoryShow(id)).toBeNull();
    expect(parseHistoryDelete(id)).toBeNull();
    expect(parseHistoryDeleteYes(id)).toBeNull();
  });

  it.each(['forget:confirm', 'forget:confirm:abc', 'forget:delete:123456789012345678', `forget:confirm:${user}:x`, 'forget:confirm:1234'])(
    'GIVEN a malformed forget-me id (%s) THEN it is refused',
    (id) => {
      expect(parseForgetButton(id)).toBeNull();
    },
  );

  it('GIVEN an id over 100 characters THEN it is refused', () => {
    expect(parseHistoryPage(`history:page:h2s:older${' '.repeat(90)}`)).toBeNull();
  });
});

describe('consent button ids', () => {
  const request = '987654321098765432';
  it("GIVEN a prompt's ids THEN they name the request and the requester (checked on click even after a restart), within 100 characters", () => {
    const accept = customIds.consent('accept', request, user);
    expect(accept.length).toBeLessThanOrEqual(100);
    expect(parseConsentButton(accept)).toEqual({ action: 'accept', requestId: request, userId: user });
    expect(parseConsentButton(customIds.consent('decline', request, user))).toEqual({ action: 'decline', requestId: request, userId: user });
  });

  it('GIVEN an id from before the requester was part of it THEN it parses with nobody named; malformed ones are refused', () => {
    expect(parseConsentButton(`consent:accept:${request}`)).toEqual({ action: 'accept', requestId: request, userId: null });
    for (const id of [
      `consent:accept:${request}:x`,
      `consent:accept:${request}:${user}:1`,
      `consent:maybe:${request}:${user}`,
      `consent:accept:12:${user}`,
      `job:cancel:${job}`,
    ]) {
      expect(parseConsentButton(id)).toBeNull();
    }
  });
});
