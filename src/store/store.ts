/**
 * The Store facade: one object the bot (or a worker) holds, opened once at start-up, on SQLite (the embedded
 * default: a file in the data folder) or PostgreSQL (`databaseUrl`: several processes and hosts). It applies
 * the backend's migrations, recovers jobs left running by dead local processes, and exposes every operation of
 * the repositories, which are the same for both backends (sql/sql.ts). Each method is a thin call into the
 * module named in its comment; see those for the guarantees.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { recentAudit, type AuditEntry } from './audit-log.js';
import { systemClock, type Clock } from './clock.js';
import type { ConsentChoice, ConsentStatus } from './consent.js';
import * as consentWaits from './consent-waits.js';
import { createContext, DEFAULT_STORE_CONFIG, type StoreConfig, type StoreContext } from './context.js';
import * as deletion from './deletion.js';
import type { JobMediaObjects } from './context.js';
import * as delivery from './delivery.js';
import type { DeliveryRoute } from './delivery-state.js';
import * as enq from './enqueue.js';
import * as exp from './export.js';
import { jobDirectory } from './files.js';
import type { SettingKey } from './guild-settings.js';
import * as settings from './guild-settings-repository.js';
import * as history from './history.js';
import { newJobId } from './ids.js';
import * as intakes from './intakes.js';
import type { GuildFilter } from './leftover-interactions.js';
import { findJobRow, rowToJob, type Job } from './job-record.js';
import * as queue from './job-queue.js';
import { migratePostgres } from './postgres/migrations.js';
import { activeJobs, jobCounts, queuedJobIds, queueStatus, queueStatuses, type ActiveJob, type JobCounts, type QueueStatus } from './queue-status.js';
import { sweep, type SweepReport } from './retention.js';
import { PostgresDatabase } from './sql/postgres.js';
import type { Sql, SqlDatabase } from './sql/sql.js';
import { SqliteDatabase } from './sql/sqlite.js';
import { openDatabase, type Db } from './sqlite/database.js';
import { migrate, MIGRATIONS, type Migration, type MigrationResult } from './sqlite/migrations.js';
import * as users from './users.js';
import { isLocalOwnerDead } from './worker-id.js';
import * as workers from './workers.js';

export const DEFAULT_DB_FILE = 'marionette.sqlite';

export interface OpenStoreOptions {
  /** Created if missing. SQLite's database and the local job files live here. */
  readonly dataDir: string;
  /** `postgres://…`: the store is in PostgreSQL (several processes and hosts); absent: SQLite in dataDir. */
  readonly databaseUrl?: string | null;
  readonly fileName?: string;
  readonly clock?: Clock;
  readonly config?: Partial<StoreConfig>;
  readonly busyTimeoutMs?: number;
  /** For tests of the migration machinery (SQLite). */
  readonly migrations?: readonly Migration[];
  /** Recover jobs of dead local workers while opening (default true). */
  readonly recover?: boolean;
  /** PostgreSQL connections this process may hold (default 5). */
  readonly poolSize?: number;
  /** The media store, when jobs' bytes also travel through it: deleting or expiring a job deletes its objects too. */
  readonly media?: JobMediaObjects | null;
}

export class Store {
  private constructor(
    private readonly ctx: StoreContext,
    /** Where the store is: the SQLite file, or the PostgreSQL server and database (no password). */
    readonly file: string,
    readonly migration: MigrationResult,
    readonly startupRecovery: queue.RecoveryReport,
    /** The SQLite connection (null on PostgreSQL): for maintenance that only SQLite has. */
    private readonly sqlite: Db | null,
  ) {}

  static async open(opts: OpenStoreOptions): Promise<Store> {
    // Members' photos and videos live below: a new data folder is the bot's user's alone (0700).
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const dataDir = realpathSync(opts.dataDir);
    const config = { ...DEFAULT_STORE_CONFIG, ...opts.config };
    const opened = opts.databaseUrl ? await openPostgres(opts.databaseUrl, opts.poolSize) : openSqlite(dataDir, opts);
    try {
      const ctx = createContext(opened.db, opts.clock ?? systemClock, dataDir, config, opts.media ?? null);
      const recovery = opts.recover === false ? { requeued: [], failed: [], cancelled: [] } : await queue.recoverStalled(ctx, isLocalOwnerDead);
      return new Store(ctx, opened.where, opened.migration, recovery, opened.sqlite);
    } catch (e) {
      await opened.db.close();
      throw e;
    }
  }

  /** Which database this is. */
  get backend(): 'sqlite' | 'postgres' {
    return this.ctx.db.dialect;
  }
  /** The database's statements, whichever backend (for tests and maintenance tools: the repositories use their own). */
  get sql(): Sql {
    return this.ctx.db;
  }
  /** The SQLite connection, for tests and maintenance; throws on PostgreSQL. */
  get db(): Db {
    if (this.sqlite === null) throw new Error('This store is in PostgreSQL: it has no SQLite connection.');
    return this.sqlite;
  }
  get dataDir(): string {
    return this.ctx.dataDir;
  }
  get config(): StoreConfig {
    return this.ctx.config;
  }
  close(): Promise<void> {
    return this.ctx.db.close();
  }
  /** PRAGMA integrity_check: 'ok' when the SQLite file is sound. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  // ids and files (files.ts, ids.ts)
  newJobId(): string {
    return newJobId(this.ctx.clock.now());
  }
  /** The store's clock (a test's fake one in tests). */
  now(): number {
    return this.ctx.clock.now();
  }
  /** Where a job's files go: <dataDir>/jobs/<jobId>/ (not created here). */
  jobDirectory(jobId: string): string {
    return jobDirectory(this.ctx.dataDir, jobId);
  }

  // admission and enqueue (enqueue.ts)
  checkAdmission(req: enq.AdmissionRequest): Promise<enq.AdmissionResult> {
    return enq.checkAdmission(this.ctx, req);
  }
  /** The early check, and the command's intake opened when it admits, at once (enqueue.ts). */
  admitIntake(req: enq.AdmissionRequest, intake: intakes.IntakeStart): Promise<enq.AdmissionResult> {
    return enq.admitIntake(this.ctx, req, intake);
  }
  enqueue(req: enq.EnqueueRequest): Promise<enq.EnqueueResult> {
    return enq.enqueue(this.ctx, req);
  }
  queueStatus(jobId: string): Promise<QueueStatus | null> {
    return queueStatus(this.ctx, jobId);
  }

  /** Position and ETA of every queued job, by id, from one simulation of the order. */
  queueStatuses(): Promise<Map<string, QueueStatus>> {
    return queueStatuses(this.ctx);
  }
  /** Queued jobs' ids, oldest first. */
  jobCounts(): Promise<JobCounts> {
    return jobCounts(this.ctx);
  }
  activeJobs(limit?: number): Promise<ActiveJob[]> {
    return activeJobs(this.ctx, limit);
  }
  queuedJobIds(limit?: number): Promise<string[]> {
    return queuedJobIds(this.ctx, limit);
  }
  /** Any job by id, for the bot and workers (no owner check: use getJobForOwner for users). */
  async getJob(jobId: string): Promise<Job | null> {
    const r = await findJobRow(this.ctx, jobId);
    return r ? rowToJob(r) : null;
  }

  // commands between acknowledgement and enqueue (intakes.ts)
  openIntake(intake: intakes.IntakeStart): Promise<void> {
    return intakes.openIntake(this.ctx, intake);
  }
  closeIntake(interactionId: string): Promise<void> {
    return intakes.closeIntake(this.ctx, interactionId);
  }
  /** Intakes left open by a process that died (of these guilds, when given); taken (deleted) as they are returned. */
  takeInterruptedIntakes(openedBeforeMs?: number, guilds?: GuildFilter): Promise<intakes.InterruptedIntake[]> {
    return intakes.takeInterruptedIntakes(this.ctx, openedBeforeMs, guilds);
  }
  // public replies waiting for a member to accept the terms (consent-waits.ts)
  openConsentWait(wait: consentWaits.ConsentWaitStart): Promise<void> {
    return consentWaits.openConsentWait(this.ctx, wait);
  }
  closeConsentWait(interactionId: string): Promise<void> {
    return consentWaits.closeConsentWait(this.ctx, interactionId);
  }
  /** Consent waits a previous process left (opened before `openedBeforeMs`; default all); taken (deleted) as they are returned. */
  takeForgottenConsentWaits(openedBeforeMs?: number, guilds?: GuildFilter): Promise<consentWaits.ForgottenConsentWait[]> {
    return consentWaits.takeForgottenConsentWaits(this.ctx, openedBeforeMs, guilds);
  }

  // workers (job-queue.ts, workers.ts)
  claimNext(workerId: string, leaseMs?: number, accepts?: readonly string[]): Promise<queue.Claim | null> {
    return queue.claimNext(this.ctx, workerId, leaseMs, accepts);
  }
  heartbeat(jobId: string, leaseId: string, opts?: { progress?: number; leaseMs?: number }): Promise<{ alive: boolean; cancelRequested: boolean }> {
    return queue.heartbeat(this.ctx, jobId, leaseId, opts);
  }
  complete(jobId: string, leaseId: string, output: queue.CompletedOutput): Promise<Job> {
    return queue.complete(this.ctx, jobId, leaseId, output);
  }
  fail(jobId: string, leaseId: string, failure: queue.AttemptFailure): Promise<Job> {
    return queue.fail(this.ctx, jobId, leaseId, failure);
  }
  cancelRunning(jobId: string, leaseId: string): Promise<Job> {
    return queue.cancelRunning(this.ctx, jobId, leaseId);
  }
  /** On SIGTERM: give the running job back, requeued at once, attempt not counted. */
  releaseClaim(jobId: string, leaseId: string): Promise<Job> {
    return queue.releaseClaim(this.ctx, jobId, leaseId);
  }
  requestCancel(jobId: string, userId: string): Promise<queue.CancelOutcome> {
    return queue.requestCancel(this.ctx, jobId, userId);
  }
  recoverStalled(isOwnerDead?: (owner: string) => boolean): Promise<queue.RecoveryReport> {
    return queue.recoverStalled(this.ctx, isOwnerDead);
  }
  registerWorker(w: workers.WorkerRegistration): Promise<void> {
    return workers.registerWorker(this.ctx, w);
  }
  reportWorker(workerId: string, report: workers.WorkerReport): Promise<void> {
    return workers.reportWorker(this.ctx, workerId, report);
  }
  stopWorker(workerId: string): Promise<void> {
    return workers.stopWorker(this.ctx, workerId);
  }
  listWorkers(sinceMs?: number): Promise<workers.WorkerStatus[]> {
    return workers.listWorkers(this.ctx, sinceMs);
  }

  // delivery (delivery.ts)
  pendingDeliveries(afterSeq?: number, limit?: number): Promise<delivery.DeliveryPage> {
    return delivery.pendingDeliveries(this.ctx, afterSeq, limit);
  }
  beginDelivery(jobId: string, route: DeliveryRoute): Promise<delivery.DeliveryStart> {
    return delivery.beginDelivery(this.ctx, jobId, route);
  }
  markDelivered(jobId: string, route: DeliveryRoute, messageId: string | null): Promise<Job> {
    return delivery.markDelivered(this.ctx, jobId, route, messageId);
  }
  markDeliveryFailed(jobId: string, error: string): Promise<Job> {
    return delivery.markDeliveryFailed(this.ctx, jobId, error);
  }
  skipDelivery(jobId: string): Promise<Job> {
    return delivery.skipDelivery(this.ctx, jobId);
  }
  /** The secret interaction token while usable. Never log it. */
  interactionToken(jobId: string): Promise<string | null> {
    return delivery.interactionToken(this.ctx, jobId);
  }

  // guild settings and audit (guild-settings-repository.ts, audit-log.ts, history.ts)
  guildSettings(guildId: string): Promise<settings.GuildSettingsView> {
    return settings.getGuildSettings(this.ctx, guildId);
  }
  updateGuildSettings(guildId: string, patch: Readonly<Record<string, unknown>>, actorId: string): Promise<settings.SettingsUpdate> {
    return settings.updateGuildSettings(this.ctx, guildId, patch, actorId);
  }
  resetGuildSettings(guildId: string, actorId: string, keys?: readonly SettingKey[]): Promise<settings.SettingsUpdate> {
    return settings.resetGuildSettings(this.ctx, guildId, actorId, keys);
  }
  setChannelRule(guildId: string, channelId: string, rule: 'allow' | 'block' | null, actorId: string): Promise<settings.GuildSettingsView> {
    return settings.setChannelRule(this.ctx, guildId, channelId, rule, actorId);
  }
  requireConsentAgain(guildId: string, actorId: string): Promise<settings.GuildSettingsView> {
    return settings.requireConsentAgain(this.ctx, guildId, actorId);
  }
  auditLog(guildId: string, limit?: number): Promise<AuditEntry[]> {
    return recentAudit(this.ctx, guildId, limit);
  }
  recentGuildJobs(guildId: string, limit?: number): Promise<history.GuildJobSummary[]> {
    return history.recentGuildJobs(this.ctx, guildId, limit);
  }

  // users (users.ts)
  setConsent(userId: string, choice: ConsentChoice): Promise<users.UserRecord> {
    return users.setConsent(this.ctx, userId, choice);
  }
  consentStatus(userId: string, guildId: string): Promise<ConsentStatus> {
    return users.userConsentStatus(this.ctx, userId, guildId);
  }
  getUser(userId: string): Promise<users.UserRecord | undefined> {
    return users.getUser(this.ctx, userId);
  }
  touchUser(userId: string): Promise<void> {
    return users.touchUser(this.ctx, userId);
  }

  // history and deletion (history.ts, deletion.ts)
  history(userId: string, query?: history.HistoryQuery): Promise<history.HistoryPage> {
    return history.historyPage(this.ctx, userId, query);
  }
  getJobForOwner(jobId: string, userId: string): Promise<Job | null> {
    return history.getJobForOwner(this.ctx, jobId, userId);
  }
  deleteJobForOwner(jobId: string, userId: string): Promise<deletion.DeleteOutcome> {
    return deletion.deleteJobForOwner(this.ctx, jobId, userId);
  }
  forgetUser(userId: string): Promise<deletion.DeletionReport & { readonly userDeleted: boolean }> {
    return deletion.forgetUser(this.ctx, userId);
  }
  purgeUserInGuild(guildId: string, userId: string, actorId: string): Promise<deletion.DeletionReport> {
    return deletion.purgeUserInGuild(this.ctx, guildId, userId, actorId);
  }

  // retention and export (retention.ts, export.ts)
  sweep(opts?: { batch?: number }): Promise<SweepReport> {
    return sweep(this.ctx, opts);
  }
  exportRedacted(guildId?: string | null): Promise<exp.RedactedDump> {
    return exp.exportRedacted(this.ctx, this.migration.to, guildId ?? null);
  }
  /** A redacted SQLite copy of the whole database (SQLite stores; with PostgreSQL use exportRedacted or pg_dump). */
  writeRedactedCopy(destFile: string): void {
    exp.writeRedactedCopy(this.db, destFile);
  }
}

interface Opened {
  readonly db: SqlDatabase;
  readonly where: string;
  readonly migration: MigrationResult;
  readonly sqlite: Db | null;
}

function openSqlite(dataDir: string, opts: OpenStoreOptions): Opened {
  const file = join(dataDir, opts.fileName ?? DEFAULT_DB_FILE);
  const db = openDatabase(file, opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs });
  try {
    const migration = migrate(db, opts.migrations ?? MIGRATIONS);
    return { db: new SqliteDatabase(db), where: file, migration, sqlite: db };
  } catch (e) {
    db.close();
    throw e;
  }
}

async function openPostgres(url: string, poolSize: number | undefined): Promise<Opened> {
  const where = describeUrl(url);
  const db = PostgresDatabase.open(url, poolSize === undefined ? {} : { max: poolSize });
  try {
    const migration = await db.session((client) => migratePostgres(client, where));
    return { db, where, migration, sqlite: null };
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** postgres://host:port/database, without the user's password (for logs and errors). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the PostgreSQL database (DATABASE_URL)';
  }
}
