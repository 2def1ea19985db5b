/**
 * Per-guild settings that moderators edit: types, documented defaults, bounds
 * and validation. Pure; storage is in guild-settings-repository.ts.
 */

export type Visibility = 'public' | 'requester';
export const VISIBILITIES: readonly Visibility[] = ['public', 'requester'];

export interface GuildSettings {
  /** Whether members may use Marionette in this guild. */
  readonly enabled: boolean;
  readonly perUserPerHour: number;
  readonly perUserPerDay: number;
  /** Queued + running jobs one member may have at once. */
  readonly perUserConcurrent: number;
  /** Jobs the whole guild may start in any 24 hours. */
  readonly guildPerDay: number;
  readonly maxDrivingSeconds: number;
  /** Largest accepted upload (each of the photo and the video). */
  readonly maxUploadBytes: number;
  /** public: the result is posted in the channel; requester: only the requester sees it. */
  readonly visibility: Visibility;
  /** Days after which inputs and outputs are deleted (the history row stays as a tombstone). */
  readonly retentionDays: number;
}

export type SettingKey = keyof GuildSettings;

const MIB = 1024 * 1024;

/** The defaults. Keep in sync with the table in docs/store.md. */
export const DEFAULT_GUILD_SETTINGS: GuildSettings = Object.freeze({
  enabled: true,
  perUserPerHour: 5,
  perUserPerDay: 20,
  perUserConcurrent: 1,
  guildPerDay: 200,
  maxDrivingSeconds: 15,
  maxUploadBytes: 25 * MIB,
  visibility: 'requester',
  retentionDays: 7,
});

/** Inclusive bounds of the numeric settings (whole numbers). */
export const SETTING_BOUNDS: Readonly<Record<Exclude<SettingKey, 'enabled' | 'visibility'>, readonly [number, number]>> = {
  perUserPerHour: [1, 100],
  perUserPerDay: [1, 1000],
  perUserConcurrent: [1, 10],
  guildPerDay: [1, 10_000],
  maxDrivingSeconds: [1, 60],
  maxUploadBytes: [1 * MIB, 100 * MIB],
  retentionDays: [1, 90],
};

export const SETTING_KEYS: readonly SettingKey[] = Object.keys(DEFAULT_GUILD_SETTINGS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

export interface SettingChange {
  readonly key: SettingKey;
  readonly from: GuildSettings[SettingKey];
  readonly to: GuildSettings[SettingKey];
}

/** What is wrong with one value of a moderator's patch, as data: the bot words it (bot/settings). */
export type SettingProblem =
  | { readonly problem: 'unknown'; readonly key: string }
  | { readonly problem: 'not-boolean'; readonly key: SettingKey }
  | { readonly problem: 'not-choice'; readonly key: SettingKey; readonly choices: readonly string[] }
  | { readonly problem: 'out-of-range'; readonly key: SettingKey; readonly min: number; readonly max: number }
  | { readonly problem: 'day-below-hour'; readonly day: number; readonly hour: number };

export type SettingsValidation =
  | { readonly ok: true; readonly next: GuildSettings; readonly changes: readonly SettingChange[] }
  | { readonly ok: false; readonly problems: readonly SettingProblem[] };

function checkValue(key: SettingKey, value: unknown): SettingProblem | null {
  if (key === 'enabled') return typeof value === 'boolean' ? null : { problem: 'not-boolean', key };
  if (key === 'visibility') {
    return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value) ? null : { problem: 'not-choice', key, choices: VISIBILITIES };
  }
  const [min, max] = SETTING_BOUNDS[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? null : { problem: 'out-of-range', key, min, max };
}

/**
 * Validates a patch from a moderator (values of unknown type) against the current
 * settings. Every problem is reported.
 */
export function validateSettingsPatch(current: GuildSettings, patch: Readonly<Record<string, unknown>>): SettingsValidation {
  const problems: SettingProblem[] = [];
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (!isSettingKey(key)) {
      problems.push({ problem: 'unknown', key });
      continue;
    }
    const problem = checkValue(key, value);
    if (problem !== null) problems.push(problem);
    else next[key] = value;
  }
  const merged = next as unknown as GuildSettings;
  if (problems.length === 0 && merged.perUserPerDay < merged.perUserPerHour) {
    problems.push({ problem: 'day-below-hour', day: merged.perUserPerDay, hour: merged.perUserPerHour });
  }
  if (problems.length > 0) return { ok: false, problems };
  const changes = SETTING_KEYS.filter((k) => merged[k] !== current[k]).map((k) => ({ key: k, from: current[k], to: merged[k] }));
  return { ok: true, next: merged, changes };
}
