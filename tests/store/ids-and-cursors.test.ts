/** Job ids (src/store/ids.ts) and history cursors (src/store/history.ts): pure, no database. */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError, isJobId, newJobId } from '../../src/store/index.js';

describe('ids and cursors', () => {
  it('GIVEN two job ids made a millisecond apart THEN each is valid and at most 25 characters, and they sort by time', () => {
    const a = newJobId(1_700_000_000_000);
    const b = newJobId(1_700_000_000_001);
    expect(isJobId(a)).toBe(true);
    expect(a.length).toBeLessThanOrEqual(25);
    expect(a.slice(0, 9) < b.slice(0, 9)).toBe(true);
  });

  it('GIVEN an encoded cursor THEN it decodes to its value; GIVEN junk THEN decoding throws', () => {
    expect(decodeCursor(encodeCursor(123456))).toBe(123456);
    for (const bad of ['', 'x1', 'h', 'h-1', 'h0', 'hzzzzzzzzzzzz']) expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
  });
});
