/**
 * The job as the rest of the bot sees it, and its mapping from a jobs row.
 * A Job never carries the interaction token or the lease id: logging a Job, or
 * showing it to a moderator, leaks no secret.
 */
import type { DeliveryRoute, DeliveryStatus } from './delivery-state.js';
import type { Visibility } from './guild-settings.js';
import type { JobState } from './job-state.js';
import type { StoreContext } from './context.js';
import { parseFailure, type JobFailure } from './failure.js';
import { forUpdate } from './sql/sql.js';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export interface StoredFile {
  /** null once the file was removed (retention). */
  readonly path: string | null;
  readonly sha256: string;
  readonly bytes: number;
}

export interface JobOutput {
  readonly path: string | null;
  readonly bytes: number;
  readonly durationMs: number;
  /** What the member should know about how it was made (the engine's framing notes), as data; [] for none. */
  readonly notes: readonly ResultNote[];
}

/** One note on a finished clip: a code and its data (the bot words it). */
export interface ResultNote {
  readonly code: string;
  readonly [field: string]: JsonValue;
}

export interface Job {
  readonly id: string;
  readonly state: JobState;
  readonly userId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly interactionId: string | null;
  readonly interactionCreatedMs: number | null;
  readonly source: StoredFile;
  readonly driving: StoredFile & { readonly seconds: number };
  readonly model: string;
  readonly options: JsonObject;
  readonly visibility: Visibility;
  /** The requester's upload limit where the command was used (Discord's attachmentSizeLimit). */
  readonly attachmentLimitBytes: number | null;
  readonly attempts: number;
  readonly maxAttempts: number;
  /** Internal detail of the last failed attempt, for logs. */
  readonly lastError: string | null;
  /** Why the job failed for good, as data (the bot words it); null unless it failed. */
  readonly failure: JobFailure | null;
  readonly runAfterMs: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresMs: number | null;
  readonly progress: number | null;
  readonly cancelRequestedMs: number | null;
  readonly createdMs: number;
  readonly firstStartedMs: number | null;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
  readonly updatedMs: number;
  readonly output: JobOutput | null;
  readonly delivery: DeliveryStatus;
  readonly deliveryVia: DeliveryRoute | null;
  readonly deliveryAttempts: number;
  /** When the last delivery attempt began. */
  readonly deliveryStartedMs: number | null;
  readonly deliveredMs: number | null;
  readonly deliveryMessageId: string | null;
  readonly deliveryError: string | null;
  /** Set when retention removed the files; the row stays as a tombstone. */
  readonly expiredMs: number | null;
}

/** A jobs row as SQLite returns it. */
export interface JobRow {
  seq: number;
  id: string;
  state: JobState;
  user_id: string;
  guild_id: string;
  channel_id: string;
  interaction_id: string | null;
  interaction_created_ms: number | null;
  source_path: string | null;
  source_sha256: string;
  source_bytes: number;
  driving_path: string | null;
  driving_sha256: string;
  driving_bytes: number;
  driving_seconds: number;
  model: string;
  options_json: string;
  visibility: Visibility;
  attachment_limit_bytes: number | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  /** JSON of a JobFailure (failure.ts). */
  failure: string | null;
  run_after_ms: number;
  lease_id: string | null;
  lease_owner: string | null;
  lease_expires_ms: number | null;
  heartbeat_ms: number | null;
  progress: number | null;
  turn: number | null;
  cancel_requested_ms: number | null;
  created_ms: number;
  first_started_ms: number | null;
  started_ms: number | null;
  finished_ms: number | null;
  updated_ms: number;
  output_path: string | null;
  output_bytes: number | null;
  /** JSON array of ResultNote. */
  result_notes: string | null;
  output_duration_ms: number | null;
  delivery: DeliveryStatus;
  delivery_via: DeliveryRoute | null;
  delivery_attempts: number;
  delivery_started_ms: number | null;
  delivered_ms: number | null;
  delivery_message_id: string | null;
  delivery_error: string | null;
  expired_ms: number | null;
}

export function rowToJob(r: JobRow): Job {
  return {
    id: r.id,
    state: r.state,
    userId: r.user_id,
    guildId: r.guild_id,
    channelId: r.channel_id,
    interactionId: r.interaction_id,
    interactionCreatedMs: r.interaction_created_ms,
    source: { path: r.source_path, sha256: r.source_sha256, bytes: r.source_bytes },
    driving: { path: r.driving_path, sha256: r.driving_sha256, bytes: r.driving_bytes, seconds: r.driving_seconds },
    model: r.model,
    options: JSON.parse(r.options_json) as JsonObject,
    visibility: r.visibility,
    attachmentLimitBytes: r.attachment_limit_bytes,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    failure: parseFailure(r.failure),
    runAfterMs: r.run_after_ms,
    leaseOwner: r.lease_owner,
    leaseExpiresMs: r.lease_expires_ms,
    progress: r.progress,
    cancelRequestedMs: r.cancel_requested_ms,
    createdMs: r.created_ms,
    firstStartedMs: r.first_started_ms,
    startedMs: r.started_ms,
    finishedMs: r.finished_ms,
    updatedMs: r.updated_ms,
    output:
      r.output_bytes === null ? null : { path: r.output_path, bytes: r.output_bytes, durationMs: r.output_duration_ms ?? 0, notes: parseNotes(r.result_notes) },
    delivery: r.delivery,
    deliveryVia: r.delivery_via,
    deliveryAttempts: r.delivery_attempts,
    deliveryStartedMs: r.delivery_started_ms,
    deliveredMs: r.delivered_ms,
    deliveryMessageId: r.delivery_message_id,
    deliveryError: r.delivery_error,
    expiredMs: r.expired_ms,
  };
}

export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(readonly jobId: string) {
    super(`No job ${jobId}.`);
  }
}

/** The job's row; `lock`: inside a write transaction that will change it (a row lock on Postgres). */
export function findJobRow(ctx: StoreContext, jobId: string, lock = false): Promise<JobRow | undefined> {
  return ctx.sql.get<JobRow>(`SELECT * FROM jobs WHERE id = ?${lock ? forUpdate(ctx.sql) : ''}`, [jobId]);
}

export async function getJobRow(ctx: StoreContext, jobId: string, lock = false): Promise<JobRow> {
  const row = await findJobRow(ctx, jobId, lock);
  if (row === undefined) throw new JobNotFoundError(jobId);
  return row;
}

/** Columns a transition may write. Names come from code, never from input. */
export type JobColumn = Exclude<keyof JobRow, 'seq' | 'id'>;

/** UPDATE jobs SET <patch>, updated_ms WHERE seq. Returns the new row. */
export async function updateJobRow(ctx: StoreContext, row: JobRow, patch: Partial<Record<JobColumn, string | number | null>>): Promise<JobRow> {
  const entries = Object.entries({ ...patch, updated_ms: ctx.clock.now() });
  const set = entries.map(([k]) => `${k} = ?`).join(', ');
  await ctx.sql.run(`UPDATE jobs SET ${set} WHERE seq = ?`, [...entries.map(([, v]) => v as string | number | null), row.seq]);
  return (await ctx.sql.get<JobRow>('SELECT * FROM jobs WHERE seq = ?', [row.seq]))!;
}

/** The column's JSON back into notes; anything that is not an array of coded objects reads as none. */
function parseNotes(json: string | null): readonly ResultNote[] {
  if (json === null) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((n): n is ResultNote => typeof n === 'object' && n !== null && typeof (n as { code?: unknown }).code === 'string') : [];
  } catch {
    return [];
  }
}
