import { isJobId } from '../../store/ids.js';

/**
 * Button custom ids: `<area>:<action>:<argument>`, at most 100 characters.
 * Parsing is pure and strict; a handler still checks that the clicking user
 * may act on what the id names (ids can be crafted by anyone).
 */
export type JobAction = 'cancel';
export type ConsentAction = 'accept' | 'decline';

export const customIds = {
  cancelJob: (jobId: string) => `job:cancel:${jobId}`,
  /** The requester's id rides along: the button checks its clicker even after a restart has forgotten the command. */
  consent: (action: ConsentAction, requestId: string, userId: string) => `consent:${action}:${requestId}:${userId}`,
};

export function parseJobButton(customId: string): { action: JobAction; jobId: string } | null {
  const [area, action, jobId, ...rest] = customId.split(':');
  if (area !== 'job' || action !== 'cancel' || jobId === undefined || rest.length > 0 || !isJobId(jobId)) return null;
  return { action, jobId };
}

/** `userId` is null on prompts shown by versions before it was part of the id. */
export function parseConsentButton(customId: string): { action: ConsentAction; requestId: string; userId: string | null } | null {
  const [area, action, requestId, userId, ...rest] = customId.split(':');
  if (area !== 'consent' || (action !== 'accept' && action !== 'decline') || rest.length > 0) return null;
  const snowflake = (v: string | undefined): v is string => v !== undefined && /^\d{17,20}$/.test(v);
  if (!snowflake(requestId) || (userId !== undefined && !snowflake(userId))) return null;
  return { action, requestId, userId: userId ?? null };
}
