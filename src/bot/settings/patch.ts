import { SETTING_BOUNDS, type SettingKey } from '../../store/index.js';
import { settingsMessages } from '../messages/settings.js';

/**
 * The options of `/settings limits` as a settings patch. Pure. Values go to the
 * store as given (it validates and says what is wrong, one sentence each),
 * except the upload size, which moderators give in megabytes: that one is
 * checked here so the sentence speaks of megabytes, not bytes.
 */
export interface LimitOptions {
  readonly perHour: number | null;
  readonly perDay: number | null;
  readonly concurrent: number | null;
  readonly serverPerDay: number | null;
  readonly maxVideoSeconds: number | null;
  readonly maxUploadMb: number | null;
}

export const LIMIT_OPTION_NAMES = {
  perHour: 'per_hour',
  perDay: 'per_day',
  concurrent: 'concurrent',
  serverPerDay: 'server_per_day',
  maxVideoSeconds: 'max_video_seconds',
  maxUploadMb: 'max_upload_mb',
} as const satisfies Record<keyof LimitOptions, string>;

const MIB = 1024 * 1024;
export const UPLOAD_MB_BOUNDS: readonly [number, number] = [SETTING_BOUNDS.maxUploadBytes[0] / MIB, SETTING_BOUNDS.maxUploadBytes[1] / MIB];

const KEYS: Readonly<Record<Exclude<keyof LimitOptions, 'maxUploadMb'>, SettingKey>> = {
  perHour: 'perUserPerHour',
  perDay: 'perUserPerDay',
  concurrent: 'perUserConcurrent',
  serverPerDay: 'guildPerDay',
  maxVideoSeconds: 'maxDrivingSeconds',
};

export interface LimitsPatch {
  readonly patch: Record<string, unknown>;
  /** Problems found here (the store finds the others). */
  readonly errors: string[];
  /** No option was given. */
  readonly empty: boolean;
}

export function limitsPatch(o: LimitOptions): LimitsPatch {
  const patch: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [opt, key] of Object.entries(KEYS) as Array<[keyof typeof KEYS, SettingKey]>) {
    const v = o[opt];
    if (v !== null) patch[key] = v;
  }
  if (o.maxUploadMb !== null) {
    const [min, max] = UPLOAD_MB_BOUNDS;
    if (Number.isInteger(o.maxUploadMb) && o.maxUploadMb >= min && o.maxUploadMb <= max) patch['maxUploadBytes'] = o.maxUploadMb * MIB;
    else errors.push(settingsMessages.uploadMbOutOfRange(min, max));
  }
  const empty = Object.values(o).every((v) => v === null);
  return { patch, errors, empty };
}
