/**
 * The Store facade: one object the bot holds, opened once at start-up. It
 * applies migrations, recovers jobs left running by dead local processes, and
 * exposes every operation of the repositories. Each method is a thin call into
 * the module named in its comment; see those for the guarantees.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsentChoice, ConsentStatus } from './consent.js';
import { systemClock, type Clock } from './clock.js';
import { createContext, DEFAULT_STORE_CONFIG, type StoreConfig, type StoreContext } from './context.js';
import { openDatabase, type Db } from './database.js';
import * as deletion from './deletion.js';
import * as delivery from './delivery.js';
import type { DeliveryRoute } from './delivery-state.js';
import * as enq from './enqueue.js';
import * as exp from './export.js';
import { jobDirectory } from './files.js';
import type { SettingKey } from './guild-settings.js';
import * as settings from './guild-settings-repository.js';
import * as history from './history.js';
import * as consentWaits from './consent-waits.js';
import * as intakes from './intakes.js';
import { newJobId } from './ids.js';
import { findJobRow, rowToJob, type Job } from './job-record.js';
import * as queue from './job-queue.js';
import { migrate, MIGRATIONS, type Migration, type MigrationResult } from './migrations.js';
import { queuedJobIds, queueStatus, type QueueStatus } from './queue-status.js';
import { sweep, type SweepReport } from './retention.js';
import * as users from './users.js';
import { recentAudit, type AuditEntry } from './audit-log.js';
import { isLocalOwnerDead } from './worker-id.js';

export const DEFAULT_DB_FILE = 'marionette.sqlite';

export interface OpenStoreOptions {
  /** Created if missing. The database and all job files live here. */
  readonly dataDir: string;
  readonly fileName?: string;
  readonly clock?: Clock;
  readonly config?: Partial<StoreConfig>;
  readonly busyTimeoutMs?: number;
  /** For tests of the migration machinery. */
  readonly migrations?: readonly Migration[];
  /** Recover jobs of dead local workers while opening (default true). */
  readonly recover?: boolean;
}

export class Store {
  private constructor(
    private readonly ctx: StoreContext,
    readonly file: string,
    readonly migration: MigrationResult,
    readonly startupRecovery: queue.RecoveryReport,
  ) {}

  static open(opts: OpenStoreOptions): Store {
    // Members' photos and videos live below: a new data folder is the bot's user's alone (0700).
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const dataDir = realpathSync(opts.dataDir);
    const file = join(dataDir, opts.fileName ?? DEFAULT_DB_FILE);
    const db = openDatabase(file, opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs });
    try {
      const migration = migrate(db, opts.migrations ?? MIGRATIONS);
      const ctx = createContext(db, opts.clock ?? systemClock, dataDir, { ...DEFAULT_STORE_CONFIG, ...opts.config });
      const recovery = opts.recover === false ? { requeued: [], failed: [], cancelled: [] } : queue.recoverStalled(ctx, isLocalOwnerDead);
      return new Store(ctx, file, migration, recovery);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  get db(): Db {
    return this.ctx.db;
  }
  get dataDir(): string {
    return this.ctx.dataDir;
  }
  get config(): StoreConfig {
    return this.ctx.config;
  }
  close(): void {
    this.ctx.db.close();
  }
  /** PRAGMA integrity_check: 'ok' when the file is sound. */
  integrityCheck(): string {
    return String(this.ctx.db.pragma('integrity_check', { simple: true }));
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
  checkAdmission(req: enq.AdmissionRequest): enq.AdmissionResult {
    return enq.checkAdmission(this.ctx, req);
  }
  enqueue(req: enq.EnqueueRequest): enq.EnqueueResult {
    return enq.enqueue(this.ctx, req);
  }
  queueStatus(jobId: string): QueueStatus | null {
    return queueStatus(this.ctx, jobId);
  }
  /** Queued jobs' ids, oldest first. */
  queuedJobIds(limit?: number): string[] {
    return queuedJobIds(this.ctx, limit);
  }
  /** Any job by id, for the bot and workers (no owner check: use getJobForOwner for users). */
  getJob(jobId: string): Job | null {
    const r = findJobRow(this.ctx, jobId);
    return r ? rowToJob(r) : null;
  }

  // commands between acknowledgement and enqueue (intakes.ts)
  openIntake(intake: intakes.IntakeStart): void {
    intakes.openIntake(this.ctx, intake);
  }
  closeIntake(interactionId: string): void {
    intakes.closeIntake(this.ctx, interactionId);
  }
  /** Intakes left open by a process that died; taken (deleted) as they are returned. */
  takeInterruptedIntakes(openedBeforeMs?: number): intakes.InterruptedIntake[] {
    return intakes.takeInterruptedIntakes(this.ctx, openedBeforeMs);
  }
  // public replies waiting for a member to accept the terms (consent-waits.ts)
  openConsentWait(wait: consentWaits.ConsentWaitStart): void {
    consentWaits.openConsentWait(this.ctx, wait);
  }
  closeConsentWait(interactionId: string): void {
    consentWaits.closeConsentWait(this.ctx, interactionId);
  }
  /** Consent waits a previous process left (opened before `openedBeforeMs`; default all); taken (deleted) as they are returned. */
  takeForgottenConsentWaits(openedBeforeMs?: number): consentWaits.ForgottenConsentWait[] {
    return consentWaits.takeForgottenConsentWaits(this.ctx, openedBeforeMs);
  }

  // workers (job-queue.ts)
  claimNext(workerId: string, leaseMs?: number): queue.Claim | null {
    return queue.claimNext(this.ctx, workerId, leaseMs);
  }
  heartbeat(jobId: string, leaseId: string, opts?: { progress?: number; leaseMs?: number }): { alive: boolean; cancelRequested: boolean } {
    return queue.heartbeat(this.ctx, jobId, leaseId, opts);
  }
  complete(jobId: string, leaseId: string, output: queue.CompletedOutput): Job {
    return queue.complete(this.ctx, jobId, leaseId, output);
  }
  fail(jobId: string, leaseId: string, failure: queue.AttemptFailure): Job {
    return queue.fail(this.ctx, jobId, leaseId, failure);
  }
  cancelRunning(jobId: string, leaseId: string): Job {
    return queue.cancelRunning(this.ctx, jobId, leaseId);
  }
  /** On SIGTERM: give the running job back, requeued at once, attempt not counted. */
  releaseClaim(jobId: string, leaseId: string): Job {
    return queue.releaseClaim(this.ctx, jobId, leaseId);
  }
  requestCancel(jobId: string, userId: string): queue.CancelOutcome {
    return queue.requestCancel(this.ctx, jobId, userId);
  }
  recoverStalled(isOwnerDead?: (owner: string) => boolean): queue.RecoveryReport {
    return queue.recoverStalled(this.ctx, isOwnerDead);
  }

  // delivery (delivery.ts)
  pendingDeliveries(afterSeq?: number, limit?: number): delivery.DeliveryPage {
    return delivery.pendingDeliveries(this.ctx, afterSeq, limit);
  }
  beginDelivery(jobId: string, route: DeliveryRoute): delivery.DeliveryStart {
    return delivery.beginDelivery(this.ctx, jobId, route);
  }
  markDelivered(jobId: string, route: DeliveryRoute, messageId: string | null): Job {
    return delivery.markDelivered(this.ctx, jobId, route, messageId);
  }
  markDeliveryFailed(jobId: string, error: string): Job {
    return delivery.markDeliveryFailed(this.ctx, jobId, error);
  }
  skipDelivery(jobId: string): Job {
    return delivery.skipDelivery(this.ctx, jobId);
  }
  /** The secret interaction token while usable. Never log it. */
  interactionToken(jobId: string): string | null {
    return delivery.interactionToken(this.ctx, jobId);
  }

  // guild settings and audit (guild-settings-repository.ts, audit-log.ts, history.ts)
  guildSettings(guildId: string): settings.GuildSettingsView {
    return settings.getGuildSettings(this.ctx, guildId);
  }
  updateGuildSettings(guildId: string, patch: Readonly<Record<string, unknown>>, actorId: string): settings.SettingsUpdate {
    return settings.updateGuildSettings(this.ctx, guildId, patch, actorId);
  }
  resetGuildSettings(guildId: string, actorId: string, keys?: readonly SettingKey[]): settings.SettingsUpdate {
    return settings.resetGuildSettings(this.ctx, guildId, actorId, keys);
  }
  setChannelRule(guildId: string, channelId: string, rule: 'allow' | 'block' | null, actorId: string): settings.GuildSettingsView {
    return settings.setChannelRule(this.ctx, guildId, channelId, rule, actorId);
  }
  requireConsentAgain(guildId: string, actorId: string): settings.GuildSettingsView {
    return settings.requireConsentAgain(this.ctx, guildId, actorId);
  }
  auditLog(guildId: string, limit?: number): AuditEntry[] {
    return recentAudit(this.ctx, guildId, limit);
  }
  recentGuildJobs(guildId: string, limit?: number): history.GuildJobSummary[] {
    return history.recentGuildJobs(this.ctx, guildId, limit);
  }

  // users (users.ts)
  setConsent(userId: string, choice: ConsentChoice): users.UserRecord {
    return users.setConsent(this.ctx, userId, choice);
  }
  consentStatus(userId: string, guildId: string): ConsentStatus {
    return users.userConsentStatus(this.ctx, userId, guildId);
  }
  getUser(userId: string): users.UserRecord | undefined {
    return users.getUser(this.ctx, userId);
  }
  touchUser(userId: string): void {
    users.touchUser(this.ctx, userId);
  }

  // history and deletion (history.ts, deletion.ts)
  history(userId: string, query?: history.HistoryQuery): history.HistoryPage {
    return history.historyPage(this.ctx, userId, query);
  }
  getJobForOwner(jobId: string, userId: string): Job | null {
    return history.getJobForOwner(this.ctx, jobId, userId);
  }
  deleteJobForOwner(jobId: string, userId: string): deletion.DeleteOutcome {
    return deletion.deleteJobForOwner(this.ctx, jobId, userId);
  }
  forgetUser(userId: string): deletion.DeletionReport & { readonly userDeleted: boolean } {
    return deletion.forgetUser(this.ctx, userId);
  }
  purgeUserInGuild(guildId: string, userId: string, actorId: string): deletion.DeletionReport {
    return deletion.purgeUserInGuild(this.ctx, guildId, userId, actorId);
  }

  // retention and export (retention.ts, export.ts)
  sweep(opts?: { batch?: number }): SweepReport {
    return sweep(this.ctx, opts);
  }
  exportRedacted(guildId?: string | null): exp.RedactedDump {
    return exp.exportRedacted(this.ctx, guildId ?? null);
  }
  writeRedactedCopy(destFile: string): void {
    exp.writeRedactedCopy(this.ctx, destFile);
  }
}
