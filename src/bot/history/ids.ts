import { decodeCursor, isJobId } from '../../store/index.js';

/**
 * Button custom ids of /history and /forget-me. Everything a click needs is in
 * the id (job id, page cursor) or in the store, so buttons keep working after
 * a restart. Parsing is pure and strict: an id with a wrong part, an extra
 * part or an unknown value is not ours (null). Handlers still check that the
 * clicking user owns what the id names; ids can be crafted by anyone.
 *
 *   history:page:latest                      the newest page
 *   history:page:<cursor>:<older|newer>      a page next to a boundary (store cursor, e.g. h2s)
 *   history:show:<jobId>:<me|channel>        send the clip again, only to me / in the channel
 *   history:delete:<jobId>:<page>            ask to confirm deleting a job (page = where to return)
 *   history:delete-yes:<jobId>:<page>        delete it
 *   forget:confirm:<userId>                  /forget-me: delete everything
 *   forget:cancel:<userId>                   /forget-me: keep it
 *
 * Longest: `history:delete-yes:` + 15 + `:` + 12 + `:newer` = 53 characters (Discord allows 100).
 */
export type PageRef = { readonly cursor: string; readonly direction: 'older' | 'newer' } | null;
export type ShowTarget = 'me' | 'channel';
export type ForgetAction = 'confirm' | 'cancel';

export const historyIds = {
  page: (page: PageRef) => `history:page:${formatPage(page)}`,
  show: (jobId: string, target: ShowTarget) => `history:show:${jobId}:${target}`,
  delete: (jobId: string, page: PageRef) => `history:delete:${jobId}:${formatPage(page)}`,
  deleteYes: (jobId: string, page: PageRef) => `history:delete-yes:${jobId}:${formatPage(page)}`,
  forget: (action: ForgetAction, userId: string) => `forget:${action}:${userId}`,
};

function formatPage(page: PageRef): string {
  return page === null ? 'latest' : `${page.cursor}:${page.direction}`;
}

function isCursor(value: string): boolean {
  try {
    decodeCursor(value);
    return true;
  } catch {
    return false;
  }
}

/** `latest` or `<cursor>:<older|newer>`; undefined when malformed. */
function parsePage(parts: readonly string[]): PageRef | undefined {
  if (parts.length === 1 && parts[0] === 'latest') return null;
  if (parts.length !== 2) return undefined;
  const [cursor, direction] = parts as [string, string];
  if (!isCursor(cursor) || (direction !== 'older' && direction !== 'newer')) return undefined;
  return { cursor, direction };
}

function split(customId: string, area: string, action: string): string[] | null {
  if (customId.length > 100) return null;
  const parts = customId.split(':');
  if (parts[0] !== area || parts[1] !== action) return null;
  return parts.slice(2);
}

export function parseHistoryPage(customId: string): { page: PageRef } | null {
  const rest = split(customId, 'history', 'page');
  const page = rest && parsePage(rest);
  return page === undefined || rest === null ? null : { page };
}

export function parseHistoryShow(customId: string): { jobId: string; target: ShowTarget } | null {
  const rest = split(customId, 'history', 'show');
  if (rest === null || rest.length !== 2) return null;
  const [jobId, target] = rest as [string, string];
  if (!isJobId(jobId) || (target !== 'me' && target !== 'channel')) return null;
  return { jobId, target };
}

function parseJobAndPage(customId: string, action: string): { jobId: string; page: PageRef } | null {
  const rest = split(customId, 'history', action);
  if (rest === null || rest.length < 2) return null;
  const [jobId, ...pageParts] = rest as [string, ...string[]];
  const page = parsePage(pageParts);
  if (!isJobId(jobId) || page === undefined) return null;
  return { jobId, page };
}

export function parseHistoryDelete(customId: string): { jobId: string; page: PageRef } | null {
  return parseJobAndPage(customId, 'delete');
}

export function parseHistoryDeleteYes(customId: string): { jobId: string; page: PageRef } | null {
  return parseJobAndPage(customId, 'delete-yes');
}

export function parseForgetButton(customId: string): { action: ForgetAction; userId: string } | null {
  const parts = customId.split(':');
  if (parts.length !== 3 || parts[0] !== 'forget') return null;
  const [, action, userId] = parts as [string, string, string];
  if ((action !== 'confirm' && action !== 'cancel') || !/^\d{17,20}$/.test(userId)) return null;
  return { action, userId };
}
