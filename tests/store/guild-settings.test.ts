import { describe, expect, it } from 'vitest';
import { DEFAULT_GUILD_SETTINGS } from '../../src/store/index.js';
import { enqueueOk, fixture, T0 } from './helpers.js';

describe('guild settings', () => {
  it('GIVEN a guild never configured THEN its settings are the documented defaults', async () => {
    const { store } = await fixture();
    expect(await store.guildSettings('g')).toEqual({
      ...DEFAULT_GUILD_SETTINGS,
      guildId: 'g',
      channels: { allow: [], block: [] },
      consentEpochMs: null,
      customized: [],
      updatedMs: null,
      updatedBy: null,
    });
    expect(DEFAULT_GUILD_SETTINGS).toMatchObject({
      enabled: true,
      perUserPerHour: 5,
      perUserPerDay: 20,
      perUserConcurrent: 1,
      guildPerDay: 200,
      maxDrivingSeconds: 15,
      maxUploadBytes: 25 * 1024 * 1024,
      visibility: 'requester',
      retentionDays: 7,
    });
  });

  it(
    'GIVEN moderators changing settings THEN each change is validated, applied and audited with who and when; ' + 'a refused or empty one leaves no entry',
    async () => {
      const { store, clock } = await fixture();
      const bad = await store.updateGuildSettings('g', { retentionDays: 0 }, 'mod');
      expect(bad).toEqual({ ok: false, problems: [{ problem: 'out-of-range', key: 'retentionDays', min: 1, max: 90 }] });
      expect(await store.auditLog('g')).toEqual([]);
      clock.advance(1000);
      const ok = await store.updateGuildSettings('g', { retentionDays: 30, visibility: 'public', enabled: false }, 'mod');
      expect(ok).toMatchObject({ ok: true, settings: { retentionDays: 30, visibility: 'public', enabled: false, updatedBy: 'mod', updatedMs: T0 + 1000 } });
      expect(await store.updateGuildSettings('g', { retentionDays: 30 }, 'mod2')).toMatchObject({ ok: true, changes: [] });
      await store.setChannelRule('g', 'c1', 'block', 'mod2');
      await store.setChannelRule('g', 'c1', 'block', 'mod2'); // no change, no entry
      await store.resetGuildSettings('g', 'mod3', ['enabled']);
      const log = await store.auditLog('g');
      expect(log.map((e) => [e.action, e.actorId])).toEqual([
        ['settings.reset', 'mod3'],
        ['channel.rule', 'mod2'],
        ['settings.update', 'mod'],
      ]);
      expect(log[2]).toMatchObject({
        atMs: T0 + 1000,
        guildId: 'g',
        detail: { changes: { enabled: { from: true, to: false }, visibility: { from: 'requester', to: 'public' }, retentionDays: { from: 7, to: 30 } } },
      });
      expect(log[1]).toMatchObject({ targetId: 'c1', detail: { from: null, to: 'block' } });
      const s = await store.guildSettings('g');
      expect(s).toMatchObject({ enabled: true, retentionDays: 30, channels: { allow: [], block: ['c1'] } });
      expect([...s.customized].sort()).toEqual(['retentionDays', 'visibility']);
      expect(await store.auditLog('other')).toEqual([]);
    },
  );

  it('GIVEN the visibility changed after enqueue THEN the job keeps the one it was queued with', async () => {
    const { store } = await fixture();
    await store.updateGuildSettings('g1', { visibility: 'public' }, 'mod');
    const job = await enqueueOk(store);
    await store.updateGuildSettings('g1', { visibility: 'requester' }, 'mod');
    expect((await store.getJob(job.id))!.visibility).toBe('public');
  });
});
