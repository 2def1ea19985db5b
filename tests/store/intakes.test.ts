import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../src/store/index.js';
import { enqueueOk, fixture, ON_POSTGRES } from './helpers.js';

describe('intakes (commands between acknowledgement and enqueue)', () => {
  it('GIVEN open intakes at start-up THEN they are taken once, with the token only while it is usable, and never exported', async () => {
    const { store, clock, dir } = await fixture();
    await store.openIntake({
      interactionId: '111111111111111111',
      userId: 'u1',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-fresh-abcdef',
      createdMs: clock.now(),
    });
    await store.openIntake({
      interactionId: '222222222222222222',
      userId: 'u2',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-stale-abcdef',
      createdMs: clock.now() - 15 * MINUTE_MS,
    });
    await store.openIntake({
      interactionId: '333333333333333333',
      userId: 'u3',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-closed-abcdef',
      createdMs: clock.now(),
    });
    await store.closeIntake('333333333333333333');
    expect(JSON.stringify(await store.exportRedacted())).not.toContain('TOKEN-fresh');
    if (!ON_POSTGRES) {
      // A redacted SQLite copy (SQLite stores only) holds no intake either.
      const copy = join(dir, 'dump.sqlite');
      store.writeRedactedCopy(copy);
      const dump = new Database(copy);
      expect(dump.prepare('SELECT COUNT(*) AS n FROM intakes').get()).toEqual({ n: 0 });
      dump.close();
      expect(readFileSync(copy).includes('TOKEN-fresh')).toBe(false);
    }
    expect(await store.takeInterruptedIntakes()).toEqual([
      { interactionId: '111111111111111111', userId: 'u1', guildId: 'g1', token: 'TOKEN-fresh-abcdef' },
      { interactionId: '222222222222222222', userId: 'u2', guildId: 'g1', token: null },
    ]);
    expect(await store.takeInterruptedIntakes()).toEqual([]);
  });

  it('GIVEN intakes and consent waits opened since this process started THEN start-up leaves them: they are its own commands', async () => {
    const { store, clock } = await fixture();
    await store.openIntake({
      interactionId: '111111111111111111',
      userId: 'u1',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-old-abcdef',
      createdMs: clock.now(),
    });
    await store.openConsentWait({ interactionId: '222222222222222222', userId: 'u2', guildId: 'g1', token: 'TOKEN-old-wait', createdMs: clock.now() });
    clock.advance(1000);
    const startedMs = clock.now();
    await store.openIntake({
      interactionId: '333333333333333333',
      userId: 'u3',
      guildId: 'g1',
      channelId: 'c1',
      token: 'TOKEN-new-abcdef',
      createdMs: clock.now(),
    });
    await store.openConsentWait({ interactionId: '444444444444444444', userId: 'u4', guildId: 'g1', token: 'TOKEN-new-wait', createdMs: clock.now() });
    expect((await store.takeInterruptedIntakes(startedMs)).map((i) => i.interactionId)).toEqual(['111111111111111111']);
    expect((await store.takeForgottenConsentWaits(startedMs)).map((w) => w.interactionId)).toEqual(['222222222222222222']);
    expect(await store.sql.column('SELECT interaction_id FROM intakes')).toEqual(['333333333333333333']);
    expect(await store.sql.column('SELECT interaction_id FROM consent_waits')).toEqual(['444444444444444444']);
  });

  it('GIVEN a command queued but the process killed before its intake was closed THEN the next start does not call it interrupted', async () => {
    const { store, clock } = await fixture();
    const interaction = { id: '444444444444444444', token: 'TOKEN-queued-abcdef', createdMs: clock.now() };
    await store.openIntake({
      interactionId: interaction.id,
      userId: 'u1',
      guildId: 'g1',
      channelId: 'c1',
      token: interaction.token,
      createdMs: interaction.createdMs,
    });
    await enqueueOk(store, { userId: 'u1', interaction });
    expect(await store.takeInterruptedIntakes()).toEqual([]);
  });
});
