/** The pure part of /settings limits: its options as a store patch, and the sentence for a bad one. */
import { describe, expect, it } from 'vitest';
import { limitsPatch } from '../../src/bot/settings/patch.js';

describe('/settings limits options', () => {
  const none = { perHour: null, perDay: null, concurrent: null, serverPerDay: null, maxVideoSeconds: null, maxUploadMb: null };
  it('GIVEN options THEN a store patch, megabytes as bytes', () => {
    expect(limitsPatch({ ...none, perHour: 3, maxUploadMb: 8 })).toEqual({
      patch: { perUserPerHour: 3, maxUploadBytes: 8 * 1024 * 1024 },
      errors: [],
      empty: false,
    });
  });
  it('GIVEN no option THEN empty', () => {
    expect(limitsPatch(none).empty).toBe(true);
  });
  it.each([0, 101, 2.5, -3])('GIVEN %s MB THEN a sentence in megabytes', (mb) => {
    expect(limitsPatch({ ...none, maxUploadMb: mb }).errors).toEqual(['The largest upload must be a whole number of megabytes from 1 to 100.']);
  });
});
