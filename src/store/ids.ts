import { randomBytes } from 'node:crypto';

/**
 * Public job ids: short, lowercase, sortable by creation time, safe in Discord
 * button custom_ids (max 100 chars) and as a message nonce (max 25 chars).
 * Format: 9 base-36 digits of the creation time in ms, then 6 random base-36 digits,
 * e.g. `0m5x1k2ab4f9qz1`. 15 characters.
 */
export const JOB_ID_PATTERN = /^[0-9a-z]{15}$/;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newJobId(nowMs: number): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(36).padStart(9, '0').slice(-9);
  const bytes = randomBytes(6);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 36];
  return time + rand;
}

export function isJobId(value: string): boolean {
  return JOB_ID_PATTERN.test(value);
}

/** A random opaque token identifying one claim of a job (one attempt). */
export function newLeaseId(): string {
  return randomBytes(9).toString('base64url');
}
