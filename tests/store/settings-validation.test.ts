/** A guild settings patch checked (src/store/guild-settings.ts): pure, no database; stored settings are in guild-settings.test.ts. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GUILD_SETTINGS, validateSettingsPatch } from '../../src/store/index.js';

describe('guild settings validation', () => {
  it('GIVEN a valid patch THEN it is accepted, listing only the values it changes', () => {
    const v = validateSettingsPatch(DEFAULT_GUILD_SETTINGS, { perUserPerHour: 3, visibility: 'public', enabled: true });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.changes.map((c) => c.key).sort()).toEqual(['perUserPerHour', 'visibility']);
    expect(v.next.perUserPerHour).toBe(3);
  });

  it('GIVEN a patch with several bad values THEN every problem is reported, each as data', () => {
    const v = validateSettingsPatch(DEFAULT_GUILD_SETTINGS, {
      perUserPerHour: 0,
      retentionDays: 91,
      visibility: 'everyone',
      enabled: 'yes',
      colour: 'red',
      maxDrivingSeconds: 2.5,
    });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problems).toEqual([
      { problem: 'out-of-range', key: 'perUserPerHour', min: 1, max: 100 },
      { problem: 'out-of-range', key: 'retentionDays', min: 1, max: 90 },
      { problem: 'not-choice', key: 'visibility', choices: ['public', 'requester'] },
      { problem: 'not-boolean', key: 'enabled' },
      { problem: 'unknown', key: 'colour' },
      { problem: 'out-of-range', key: 'maxDrivingSeconds', min: 1, max: 60 },
    ]);
  });

  it('GIVEN a daily limit below the hourly one THEN the patch is refused', () => {
    const v = validateSettingsPatch(DEFAULT_GUILD_SETTINGS, { perUserPerDay: 2, perUserPerHour: 4 });
    expect(v).toEqual({ ok: false, problems: [{ problem: 'day-below-hour', day: 2, hour: 4 }] });
  });
});
