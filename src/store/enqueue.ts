/**
 * Admission and enqueue. The decision and the insert happen in one write transaction holding the locks of the
 * server and of the member (sql/sql.ts: SQLite's single writer; Postgres advisory locks) from the first count to
 * the insert, so two commands at the same moment (other connections, other processes, other hosts) are
 * serialized and cannot both slip past a limit.
 */
import { decideAdmission, type Admission, type InputFacts, type ParentChannel, type Refusal } from './admission.js';
import { DAY_MS } from './clock.js';
import { read, write, type StoreContext } from './context.js';
import { resolveInside } from './files.js';
import type { Visibility } from './guild-settings.js';
import { getGuildSettings } from './guild-settings-repository.js';
import { isJobId, newJobId } from './ids.js';
import { findJobRow, getJobRow, rowToJob, type Job, type JsonObject } from './job-record.js';
import type { Usage } from './rate-limits.js';
import { openIntake, type IntakeStart } from './intakes.js';
import { touchUser, userConsentStatus } from './users.js';
import { indexedBy, type Sql } from './sql/sql.js';

export interface AdmissionRequest {
  readonly userId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly parentChannelId?: ParentChannel;
  /** Omit for the early check before attachments are downloaded. */
  readonly inputs?: InputFacts;
  /** The command asking (early check), if any: its own intake is not another animation in progress. */
  readonly interactionId?: string;
}

export interface EnqueueRequest extends Omit<AdmissionRequest, 'inputs'> {
  /** A reserved id (Store.newJobId) when files were downloaded into its job directory first. */
  readonly id?: string;
  readonly interaction?: { readonly id: string; readonly token: string; readonly createdMs: number } | null;
  readonly source: { readonly path: string; readonly sha256: string; readonly bytes: number };
  readonly driving: { readonly path: string; readonly sha256: string; readonly bytes: number; readonly seconds: number };
  readonly model: string;
  readonly options?: JsonObject;
  readonly attachmentLimitBytes?: number | null;
  /**
   * Who sees the result: as the member's acknowledgement already showed it (public or ephemeral),
   * so a moderator's change in between cannot make a private request's clip public. Default: the server's setting.
   */
  readonly visibility?: Visibility;
  /**
   * The command's intake (openIntake) must still be open: forget-me and a purge withdraw the member's intakes, so a
   * command that was downloading meanwhile is refused ('withdrawn') instead of queueing the deleted member's files.
   */
  readonly requireOpenIntake?: boolean;
}

/** The store's answer to a command: ok, or a refusal as data (the bot words it). */
export type AdmissionResult = Admission;
export type EnqueueResult = { readonly ok: true; readonly job: Job } | { readonly ok: false; readonly refusal: Refusal };

export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

/** Jobs that count for rate limits: all accepted ones, except those cancelled before they started. */
const COUNTED = "NOT (state = 'cancelled' AND first_started_ms IS NULL)";

async function usage(ctx: StoreContext, req: AdmissionRequest, userLimit: number, guildLimit: number, now: number): Promise<Usage> {
  const { guildId, userId } = req;
  const since = now - DAY_MS;
  const userRecentDesc = await ctx.sql.column<number>(
    `SELECT created_ms FROM jobs WHERE guild_id = ? AND user_id = ? AND created_ms > ? AND ${COUNTED}
     UNION ALL SELECT created_ms FROM rate_ledger WHERE guild_id = ? AND user_id = ? AND created_ms > ?
     ORDER BY created_ms DESC LIMIT ?`,
    [guildId, userId, since, guildId, userId, since, userLimit],
  );
  const guildRecentDesc = await ctx.sql.column<number>(
    `SELECT created_ms FROM jobs WHERE guild_id = ? AND created_ms > ? AND ${COUNTED}
     UNION ALL SELECT created_ms FROM rate_ledger WHERE guild_id = ? AND created_ms > ?
     ORDER BY created_ms DESC LIMIT ?`,
    [guildId, since, guildId, since, guildLimit],
  );
  const userJobsActive =
    (await ctx.sql.value<number>("SELECT COUNT(*) FROM jobs WHERE guild_id = ? AND user_id = ? AND state IN ('queued', 'running')", [guildId, userId])) ?? 0;
  // Before the download (the early check), the member's other commands still downloading and checking their
  // attachments are in progress too: a burst of commands cannot all download (and hold the intake slots) only to
  // be refused at enqueue. Live intakes only, so a row a crash left behind cannot block anyone past its token's
  // 15 minutes. Not at enqueue: there a command that passed its early check must not be refused because of a
  // later one still downloading (which would be refused itself, or never get that far).
  const userIntakes =
    req.inputs !== undefined
      ? 0
      : ((await ctx.sql.value<number>('SELECT COUNT(*) FROM intakes WHERE guild_id = ? AND user_id = ? AND interaction_id != ? AND expires_ms > ?', [
          guildId,
          userId,
          req.interactionId ?? '',
          now,
        ])) ?? 0);
  return { userRecentDesc, guildRecentDesc, userActive: userJobsActive + userIntakes };
}

/** What a server's jobs keep on disk: their photos, videos and results until retention deletes them. */
export const GUILD_STORED_BYTES_SQL = (sql: Sql): string => `SELECT COALESCE(SUM(source_bytes + driving_bytes + COALESCE(output_bytes, 0)), 0)
  FROM jobs${indexedBy(sql, 'jobs_guild_stored')} WHERE guild_id = ? AND expired_ms IS NULL`;

async function storedBytes(ctx: StoreContext, guildId: string): Promise<number> {
  return Number((await ctx.sql.value<number | string>(GUILD_STORED_BYTES_SQL(ctx.sql), [guildId])) ?? 0);
}

async function decide(ctx: StoreContext, req: AdmissionRequest): Promise<Admission> {
  const now = ctx.clock.now();
  const settings = await getGuildSettings(ctx, req.guildId);
  return decideAdmission({
    settings,
    channels: settings.channels,
    channelId: req.channelId,
    parentChannelId: req.parentChannelId ?? null,
    consent: await userConsentStatus(ctx, req.userId, req.guildId),
    ...(req.inputs === undefined ? {} : { inputs: req.inputs }),
    usage: await usage(ctx, req, Math.max(settings.perUserPerHour, settings.perUserPerDay), settings.guildPerDay, now),
    storage: { usedBytes: await storedBytes(ctx, req.guildId), maxBytes: ctx.config.guildStorageBytes },
    nowMs: now,
  });
}

/** Early, non-binding check (before downloading attachments). enqueue decides again atomically. */
export function checkAdmission(ctx: StoreContext, req: AdmissionRequest): Promise<AdmissionResult> {
  return read(ctx, (tx) => decide(tx, req));
}

/**
 * The early check and, when it admits, the command's intake opened, in one transaction under the server's and
 * the member's locks: a second command from the member, checked at the same moment (in this process or another),
 * sees this one in progress (intakes count toward the concurrent limit).
 */
export function admitIntake(ctx: StoreContext, req: AdmissionRequest, intake: IntakeStart): Promise<AdmissionResult> {
  // Idempotent: run again after it committed, it does not count its own intake and opens it again (an upsert).
  return write(
    ctx,
    [`guild:${req.guildId}`, `user:${req.userId}`],
    async (tx) => {
      const admission = await decide(tx, req);
      if (admission.ok) await openIntake(tx, intake);
      return admission;
    },
    { idempotent: true },
  );
}

function validate(ctx: StoreContext, req: EnqueueRequest): void {
  const fail = (what: string): never => {
    throw new InvalidRequestError(`Invalid enqueue request: ${what}.`);
  };
  if (req.id !== undefined && !isJobId(req.id)) fail('id is not a job id');
  for (const [name, f] of [
    ['source', req.source],
    ['driving', req.driving],
  ] as const) {
    resolveInside(ctx.dataDir, f.path);
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) fail(`${name}.sha256 must be 64 lowercase hex digits`);
    if (!Number.isSafeInteger(f.bytes) || f.bytes < 0) fail(`${name}.bytes must be a whole number ≥ 0`);
  }
  if (!Number.isFinite(req.driving.seconds) || req.driving.seconds < 0) fail('driving.seconds must be ≥ 0');
  if (req.model.length === 0) fail('model is empty');
}

/**
 * Admission check and insert, atomically. Guarantee: an ok result is committed
 * (fsynced) before it returns. Idempotent for a reserved id: enqueueing the same
 * id again (a retry after a crash) returns the existing job without counting twice.
 */
export async function enqueue(ctx: StoreContext, req: EnqueueRequest): Promise<EnqueueResult> {
  validate(ctx, req);
  // Under a reserved id, running it again after it committed finds the job it queued: a COMMIT whose answer was
  // lost (the database restarting) is then run again rather than reported as a failure of a job that may exist.
  return write(
    ctx,
    [`guild:${req.guildId}`, `user:${req.userId}`],
    async (tx) => {
      const existing = req.id === undefined ? undefined : await findJobRow(tx, req.id);
      if (existing !== undefined) {
        if (existing.user_id !== req.userId || existing.guild_id !== req.guildId) {
          throw new InvalidRequestError(`Invalid enqueue request: job id ${req.id ?? ''} is already used by another request.`);
        }
        return { ok: true, job: rowToJob(existing) };
      }
      const now = tx.clock.now();
      if (
        req.requireOpenIntake === true &&
        req.interaction &&
        (await tx.sql.value('SELECT 1 FROM intakes WHERE interaction_id = ?', [req.interaction.id])) === undefined
      ) {
        const refusal: Refusal = { reason: 'withdrawn' };
        return { ok: false, refusal };
      }
      const inputs = { drivingSeconds: req.driving.seconds, sourceBytes: req.source.bytes, drivingBytes: req.driving.bytes };
      const admission = await decide(tx, { ...req, inputs });
      if (!admission.ok) return admission;
      await touchUser(tx, req.userId); // only once admitted: a refusal (or a forget-me meanwhile) leaves no user row behind
      const id = req.id ?? newJobId(now);
      const seq = await insertJob(tx, req, id, now);
      if (req.interaction) await keepInteraction(tx, req.interaction, seq, now);
      return { ok: true, job: rowToJob(await getJobRow(tx, id)) };
    },
    { idempotent: req.id !== undefined },
  );
}

/** The job's row, queued; returns its sequence number (interaction_tokens refer to it). */
async function insertJob(ctx: StoreContext, req: EnqueueRequest, id: string, now: number): Promise<number> {
  const settings = await getGuildSettings(ctx, req.guildId);
  const seq = await ctx.sql.value<number>(
    `INSERT INTO jobs (id, state, user_id, guild_id, channel_id, interaction_id, interaction_created_ms,
       source_path, source_sha256, source_bytes, driving_path, driving_sha256, driving_bytes, driving_seconds,
       model, options_json, visibility, attachment_limit_bytes, max_attempts, run_after_ms, created_ms, updated_ms)
     VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
    [
      id,
      req.userId,
      req.guildId,
      req.channelId,
      req.interaction?.id ?? null,
      req.interaction?.createdMs ?? null,
      req.source.path,
      req.source.sha256,
      req.source.bytes,
      req.driving.path,
      req.driving.sha256,
      req.driving.bytes,
      req.driving.seconds,
      req.model,
      JSON.stringify(req.options ?? {}),
      req.visibility ?? settings.visibility,
      req.attachmentLimitBytes ?? null,
      ctx.config.maxAttempts,
      now,
      now,
      now,
    ],
  );
  return seq!;
}

/**
 * The command is queued: its intake ends in the same transaction (so a crash right after this cannot make the
 * next start tell the member it was not queued), and its token is kept while Discord honours it.
 */
async function keepInteraction(ctx: StoreContext, interaction: NonNullable<EnqueueRequest['interaction']>, seq: number, now: number): Promise<void> {
  await ctx.sql.run('DELETE FROM intakes WHERE interaction_id = ?', [interaction.id]);
  const expiresMs = interaction.createdMs + ctx.config.interactionTokenLifetimeMs;
  if (expiresMs > now) await ctx.sql.run('INSERT INTO interaction_tokens (job_seq, token, expires_ms) VALUES (?, ?, ?)', [seq, interaction.token, expiresMs]);
}
