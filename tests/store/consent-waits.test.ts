import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../src/store/index.js';
import { fixture, ON_POSTGRES } from './helpers.js';

describe('consent waits (public replies waiting for a member to accept the terms)', () => {
  const wait = (id: string, userId: string, token: string, createdMs: number) => ({ interactionId: id, userId, guildId: 'g1', token, createdMs });

  it('GIVEN waits left at start-up THEN they are taken once, with the token only while it is usable, and never exported', async () => {
    const { store, clock, dir } = await fixture();
    await store.openConsentWait(wait('111111111111111111', 'u1', 'TOKEN-wait-fresh', clock.now()));
    await store.openConsentWait(wait('222222222222222222', 'u2', 'TOKEN-wait-stale', clock.now() - 15 * MINUTE_MS));
    await store.openConsentWait(wait('333333333333333333', 'u3', 'TOKEN-wait-answered', clock.now()));
    await store.closeConsentWait('333333333333333333');
    expect(JSON.stringify(await store.exportRedacted())).not.toContain('TOKEN-wait-fresh');
    if (!ON_POSTGRES) {
      // A redacted SQLite copy (SQLite stores only) holds no wait either.
      const copy = join(dir, 'dump.sqlite');
      store.writeRedactedCopy(copy);
      const dump = new Database(copy);
      expect(dump.prepare('SELECT COUNT(*) AS n FROM consent_waits').get()).toEqual({ n: 0 });
      dump.close();
      expect(readFileSync(copy).includes('TOKEN-wait-fresh')).toBe(false);
    }
    expect(await store.takeForgottenConsentWaits()).toEqual([
      { interactionId: '111111111111111111', userId: 'u1', guildId: 'g1', token: 'TOKEN-wait-fresh' },
      { interactionId: '222222222222222222', userId: 'u2', guildId: 'g1', token: null },
    ]);
    expect(await store.takeForgottenConsentWaits()).toEqual([]);
  });

  it("GIVEN a wait whose token expired THEN the sweep deletes it; GIVEN forget-me THEN the member's waits go", async () => {
    const { store, clock } = await fixture();
    await store.openConsentWait(wait('111111111111111111', 'u1', 'TOKEN-wait-1', clock.now()));
    await store.openConsentWait(wait('222222222222222222', 'u2', 'TOKEN-wait-2', clock.now()));
    await store.forgetUser('u2');
    expect(await store.sql.column('SELECT user_id FROM consent_waits')).toEqual(['u1']);
    clock.advance(16 * MINUTE_MS);
    expect((await store.sweep()).tokensCleared).toBe(1);
    expect(await store.sql.value('SELECT COUNT(*) FROM consent_waits')).toBe(0);
  });
});
