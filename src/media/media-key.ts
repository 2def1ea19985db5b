/**
 * Media keys: `<jobId>/<role>`, one object per job and role. The job id part only has to be safe as a folder name
 * and a database value (job ids are 15 lowercase base-36 characters, src/store/ids.ts; anything of 1 to 64 lowercase
 * letters and digits is accepted), the role is one of the three below.
 */
export const MEDIA_ROLES = ['photo', 'driving', 'result'] as const;
export type MediaRole = (typeof MEDIA_ROLES)[number];

export interface MediaKey {
  readonly jobId: string;
  readonly role: MediaRole;
}

const JOB_ID = /^[0-9a-z]{1,64}$/;
const KEY = /^([0-9a-z]{1,64})\/([a-z]+)$/;

export class MediaKeyError extends Error {
  override readonly name = 'MediaKeyError';
  constructor(readonly value: string) {
    super(`"${value.slice(0, 100)}" is not a media key: a key is a job id and a role, such as 0m5x1k2ab4f9qz1/${MEDIA_ROLES.join(', …/')}.`);
  }
}

export function isMediaRole(value: string): value is MediaRole {
  return (MEDIA_ROLES as readonly string[]).includes(value);
}

/** The key of a job's photo, driving video or result. */
export function mediaKey(jobId: string, role: MediaRole): string {
  if (!JOB_ID.test(jobId) || !isMediaRole(role)) throw new MediaKeyError(`${jobId}/${role}`);
  return `${jobId}/${role}`;
}

export function parseMediaKey(key: string): MediaKey {
  const m = KEY.exec(key);
  if (m === null || !isMediaRole(m[2]!)) throw new MediaKeyError(key);
  return { jobId: m[1]!, role: m[2] };
}

/** Whether a folder or value can be the job id part of a key. */
export const isKeyJobId = (value: string): boolean => JOB_ID.test(value);

/** Throws MediaKeyError unless `jobId` can be part of a key. */
export function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new MediaKeyError(`${jobId}/…`);
  return jobId;
}
