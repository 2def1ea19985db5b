import { isJobId } from '../store/ids.js';

/**
 * Button custom ids: `<area>:<action>:<argument>`, at most 100 characters.
 * Parsing is pure and strict; a handler still checks that the clicking user
 * may act on what the id names (ids can be crafted by anyone).
 */
export type JobAction = 'cancel';
export type ConsentAction = 'accept' | 'decline';

export const customIds = {
  cancelJob: (jobId: string) => `job:cancel:${jobId}`,
  consent: (action: ConsentAction, requestId: string) => `consent:${action}:${requestId}`,
};

export function parseJobButton(customId: string): { action: JobAction; jobId: string } | null {
  const [area, action, jobId, ...rest] = customId.split(':');
  if (area !== 'job' || action !== 'cancel' || jobId === undefined || rest.length > 0 || !isJobId(jobId)) return null;
  return { action, jobId };
}

export function parseConsentButton(customId: string): { action: ConsentAction; requestId: string } | null {
  const [area, action, requestId, ...rest] = customId.split(':');
  if (area !== 'consent' || (action !== 'accept' && action !== 'decline') || rest.length > 0) return null;
  if (requestId === undefined || !/^\d{17,20}$/.test(requestId)) return null;
  return { action, requestId };
}
