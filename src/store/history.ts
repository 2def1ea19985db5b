/**
 * A user's generations, newest first, paged with opaque cursors. A cursor names
 * the boundary row (its insertion sequence), so pages do not shift when new jobs
 * are added. Cursors are short (fit in a button custom_id).
 */
import type { StoreContext } from './context.js';
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

export function historyPage(ctx: StoreContext, userId: string, q: HistoryQuery = {}): HistoryPage {
  const limit = Math.min(50, Math.max(1, Math.floor(q.limit ?? 5)));
  const guild = q.guildId ?? null;
  const boundary = q.cursor ? decodeCursor(q.cursor) : null;
  const newer = q.direction === 'newer' && boundary !== null;
  return ctx.db
    .transaction(() => {
      const scope = 'user_id = @user AND (@guild IS NULL OR guild_id = @guild)';
      const rows = (
        newer
          ? ctx.stmt(`SELECT * FROM jobs WHERE ${scope} AND seq > @cursor ORDER BY seq ASC LIMIT @limit`)
          : ctx.stmt(`SELECT * FROM jobs WHERE ${scope} AND (@cursor IS NULL OR seq < @cursor) ORDER BY seq DESC LIMIT @limit`)
      ).all({ user: userId, guild, cursor: boundary, limit: limit + 1 }) as JobRow[];
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      if (newer) page.reverse();
      const exists = (op: '<' | '>', seq: number): boolean =>
        ctx.stmt(`SELECT 1 FROM jobs WHERE ${scope} AND seq ${op} @cursor LIMIT 1`).pluck().get({ user: userId, guild, cursor: seq }) !== undefined;
      const first = page[0];
      const last = page[page.length - 1];
      const hasOlder = last !== undefined && (newer ? exists('<', last.seq) : more);
      const hasNewer = first !== undefined && (newer ? more : exists('>', first.seq));
      return {
        items: page.map(rowToJob),
        older: hasOlder ? encodeCursor(last.seq) : null,
        newer: hasNewer ? encodeCursor(first.seq) : null,
      };
    })
    .deferred();
}

/** One job, only for its owner: anyone else gets null, as for an unknown id. */
export function getJobForOwner(ctx: StoreContext, jobId: string, userId: string): Job | null {
  const row = findJobRow(ctx, jobId);
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

export function recentGuildJobs(ctx: StoreContext, guildId: string, limit = 20): GuildJobSummary[] {
  const rows = ctx.stmt(RECENT_GUILD_JOBS_SQL).all(guildId, limit) as JobRow[];
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
