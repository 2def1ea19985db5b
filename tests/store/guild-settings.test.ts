import { describe, expect, it } from 'vitest';
import { DEFAULT_GUILD_SETTINGS } from '../../src/store/index.js';
import { enqueueOk, fixture, T0 } from './helpers.js';

describe('guild settings', () => {
  it('GIVEN a guild never configured THEN its settings are the documented defaults', () => {
    const { store } = fixture();
    expect(store.guildSettings('g')).toEqual({
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

  it('GIVEN moderators changing settings THEN each change is validated, applied and audited with who and when; a refused or empty one leaves no entry', () => {
    const { store, clock } = fixture();
    const bad = store.updateGuildSettings('g', { retentionDays: 0 }, 'mod');
    expect(bad).toEqual({ ok: false, problems: [{ problem: 'out-of-range', key: 'retentionDays', min: 1, max: 90 }] });
    expect(store.auditLog('g')).toEqual([]);
    clock.advance(1000);
    const ok = store.updateGuildSettings('g', { retentionDays: 30, visibility: 'public', enabled: false }, 'mod');
    expect(ok).toMatchObject({ ok: true, settings: { retentionDays: 30, visibility: 'public', enabled: false, updatedBy: 'mod', updatedMs: T0 + 1000 } });
    expect(store.updateGuildSettings('g', { retentionDays: 30 }, 'mod2')).toMatchObject({ ok: true, changes: [] });
    store.setChannelRule('g', 'c1', 'block', 'mod2');
    store.setChannelRule('g', 'c1', 'block', 'mod2'); // no change, no entry
    store.resetGuildSettings('g', 'mod3', ['enabled']);
    const log = store.auditLog('g');
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
    const s = store.guildSettings('g');
    expect(s).toMatchObject({ enabled: true, retentionDays: 30, channels: { allow: [], block: ['c1'] } });
    expect([...s.customized].sort()).toEqual(['retentionDays', 'visibility']);
    expect(store.auditLog('other')).toEqual([]);
  });

  it('GIVEN the visibility changed after enqueue THEN the job keeps the one it was queued with', () => {
    const { store } = fixture();
    store.updateGuildSettings('g1', { visibility: 'public' }, 'mod');
    const job = enqueueOk(store);
    store.updateGuildSettings('g1', { visibility: 'requester' }, 'mod');
    expect(store.getJob(job.id)!.visibility).toBe('public');
  });
});
