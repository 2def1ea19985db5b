/**
 * A user's generations, newest first, paged with opaque cursors. A cursor names
 * the boundary row (its insertion sequence), so pages do not shift when new jobs
 * are added. Cursors are short (fit in a button custom_id).
 */
import { read, type StoreContext } from './context.js';
import { findJobRow, rowToJob, type Job, type JobRow } from './job-record.js';

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(cursor: string) {
    super(`Not a history cursor: ${JSON.stringify(cursor.slice(0, 40))}.`);
  }
}

export function encodeCursor(seq: number): string {
  return `h${seq.toString(36)}`;
}

export function decodeCursor(cursor: string): number {
  if (!/^h[0-9a-z]{1,11}$/.test(cursor)) throw new InvalidCursorError(cursor);
  const seq = parseInt(cursor.slice(1), 36);
  if (!Number.isSafeInteger(seq) || seq <= 0) throw new InvalidCursorError(cursor);
  return seq;
}

export interface HistoryQuery {
  /** Boundary from a previous page; omitted = the newest page. */
  readonly cursor?: string | null;
  /** older (▶, default): items before the cursor; newer (◀): items after it. */
  readonly direction?: 'older' | 'newer';
  readonly limit?: number;
  /** Only this guild's jobs. */
  readonly guildId?: string | null;
}

export interface HistoryPage {
  readonly items: readonly Job[];
  /** Cursor for the next older page, null if none. */
  readonly older: string | null;
  /** Cursor for the next newer page, null if none. */
  readonly newer: string | null;
}

export function historyPage(ctx: StoreContext, userId: string, q: HistoryQuery = {}): Promise<HistoryPage> {
  const limit = Math.min(50, Math.max(1, Math.floor(q.limit ?? 5)));
  const guild = q.guildId ?? null;
  const boundary = q.cursor ? decodeCursor(q.cursor) : null;
  const newer = q.direction === 'newer' && boundary !== null;
  // The member's jobs (in one guild when asked): the condition and its parameters, put before every other.
  const scope = guild === null ? 'user_id = ?' : 'user_id = ? AND guild_id = ?';
  const scoped = (...more: Array<string | number>) => (guild === null ? [userId, ...more] : [userId, guild, ...more]);
  return read(ctx, async (tx) => {
    const rows = newer
      ? await tx.sql.all<JobRow>(`SELECT * FROM jobs WHERE ${scope} AND seq > ? ORDER BY seq ASC LIMIT ?`, scoped(boundary, limit + 1))
      : boundary === null
        ? await tx.sql.all<JobRow>(`SELECT * FROM jobs WHERE ${scope} ORDER BY seq DESC LIMIT ?`, scoped(limit + 1))
        : await tx.sql.all<JobRow>(`SELECT * FROM jobs WHERE ${scope} AND seq < ? ORDER BY seq DESC LIMIT ?`, scoped(boundary, limit + 1));
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    if (newer) page.reverse();
    const exists = async (op: '<' | '>', seq: number): Promise<boolean> =>
      (await tx.sql.value(`SELECT 1 FROM jobs WHERE ${scope} AND seq ${op} ? LIMIT 1`, scoped(seq))) !== undefined;
    const first = page[0];
    const last = page[page.length - 1];
    const hasOlder = last !== undefined && (newer ? await exists('<', last.seq) : more);
    const hasNewer = first !== undefined && (newer ? more : await exists('>', first.seq));
    return {
      items: page.map(rowToJob),
      older: hasOlder ? encodeCursor(last.seq) : null,
      newer: hasNewer ? encodeCursor(first.seq) : null,
    };
  });
}

/** One job, only for its owner: anyone else gets null, as for an unknown id. */
export async function getJobForOwner(ctx: StoreContext, jobId: string, userId: string): Promise<Job | null> {
  const row = await findJobRow(ctx, jobId);
  return row !== undefined && row.user_id === userId ? rowToJob(row) : null;
}

export interface GuildJobSummary {
  readonly id: string;
  readonly userId: string;
  readonly createdMs: number;
  readonly state: Job['state'];
  readonly model: string;
  readonly sourceSha256: string;
  readonly drivingSha256: string;
  readonly expired: boolean;
}

/** A guild's latest generations for moderators: who, when, input hashes; no media, no paths. */
/** Newest first by the (guild_id, created_ms) index (seq, the rowid, breaks ties), not a sort of the guild's whole history. */
export const RECENT_GUILD_JOBS_SQL = `SELECT id, user_id, created_ms, state, model, source_sha256, driving_sha256, expired_ms FROM jobs
   WHERE guild_id = ? ORDER BY created_ms DESC, seq DESC LIMIT ?`;

export async function recentGuildJobs(ctx: StoreContext, guildId: string, limit = 20): Promise<GuildJobSummary[]> {
  const rows = await ctx.sql.all<JobRow>(RECENT_GUILD_JOBS_SQL, [guildId, limit]);
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    createdMs: r.created_ms,
    state: r.state,
    model: r.model,
    sourceSha256: r.source_sha256,
    drivingSha256: r.driving_sha256,
    expired: r.expired_ms !== null,
  }));
}
