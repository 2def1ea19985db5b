import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { commands } from '../../commands/index.js';
import { ConfigError, type BotConfig } from '../config.js';
import { InputError, resolveFfmpeg, withoutPaths } from '../engine/index.js';
import { Store, newWorkerId, type StoreConfig } from '../store/index.js';
import type { Logger } from '../util/log.js';
import { Semaphore } from '../util/semaphore.js';
import { buttons } from './buttons.js';
import { ConsentGate } from './consent-gate.js';
import type { BotContext, ButtonHandler } from './context.js';
import { Deliverer } from './deliverer.js';
import { DiscordApi } from './discord-api.js';
import { createInteractionRouter } from './interaction-router.js';
import { JobRunner } from './job-runner.js';
import { botMessages } from './messages.js';
import { ModelCatalog } from './model-catalog.js';
import { ProgressReporter } from './progress-reporter.js';
import { QueueUpdates } from './queue-updates.js';

/**
 * The bot process: the Discord client (gateway + REST), the job store, the job
 * runner (engines in worker threads) and the deliverer. `start` resumes
 * whatever a previous process left (queued and interrupted jobs, undelivered
 * results); `stop` stops taking commands, lets the running job finish or hands
 * it back, and closes the database.
 */
export interface BotOptions {
  /** How long a running job may finish on shutdown before it is handed back to the queue. */
  readonly shutdownGraceMs?: number;
  readonly pollMs?: number;
  readonly deliveryRetryMs?: number;
  readonly sweepMs?: number;
  /** Overrides MARIONETTE_JOB_TIMEOUT_MINUTES (tests use seconds). */
  readonly jobTimeoutMs?: number;
  /** How long a command waits for its member to accept the terms (14 minutes; tests use seconds). */
  readonly consentWaitMs?: number;
  /** Store tuning (lease, attempts, backoff): tests shorten the backoff. */
  readonly storeConfig?: Partial<StoreConfig>;
}

const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;

export class Bot {
  private shuttingDown = false;
  private sweepTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly client: Client,
    readonly ctx: BotContext,
    private readonly options: BotOptions,
  ) {}

  static async start(config: BotConfig, logger: Logger, options: BotOptions = {}): Promise<Bot> {
    const store = Store.open({
      dataDir: config.dataDir,
      config: { workers: config.workers, guildStorageBytes: config.guildStorageMb * 1024 * 1024, ...options.storeConfig },
    });
    // Intakes and consent waits opened before this moment are a previous process's; after it, this one's own.
    const startedMs = store.now();
    const recovered = store.startupRecovery;
    logger.info('store opened', {
      file: store.file,
      schema: store.migration,
      requeued: recovered.requeued.length,
      failed: recovered.failed.length,
    });
    // No reply discord.js sends pings anyone unless it says so (replies quote members' text: a model name, a file name).
    const client = new Client({ intents: [GatewayIntentBits.Guilds], allowedMentions: { parse: [] }, rest: config.apiBase ? { api: config.apiBase } : {} });
    const api = new DiscordApi(client.rest, config.clientId, () => client.user?.id ?? config.clientId);
    const models = new ModelCatalog(config.modelsDir, logger);
    await models.refresh(true);
    if (models.names().length === 0) {
      store.close();
      throw new ConfigError(
        `MARIONETTE_MODELS_DIR (${config.modelsDir}) holds no model; point it at the project's models folder (the built-in demo model is models/default) or convert one with \`npx marionette convert\`.`,
      );
    }
    if (!models.get(config.defaultModel)) {
      // Members who pick no model get this one: a misspelt name must not fall back to another model unseen.
      store.close();
      throw new ConfigError(
        `MARIONETTE_DEFAULT_MODEL is "${config.defaultModel}", but ${config.modelsDir} has no model of that name; set it to one of: ${models.names().join(', ')}.`,
      );
    }
    try {
      // Every job decodes and encodes with ffmpeg: without it, members would be served only failures.
      resolveFfmpeg();
    } catch (e) {
      store.close();
      throw e;
    }
    const progress = new ProgressReporter(store, api, logger, config.progressIntervalSeconds * 1000);
    const deliverer = new Deliverer(store, api, logger);
    const runner = new JobRunner(
      store,
      models,
      progress,
      logger,
      {
        slots: config.workers,
        device: config.device,
        workerId: newWorkerId(),
        pollMs: options.pollMs ?? 2000,
        heartbeatMs: Math.min(10_000, store.config.leaseMs / 4),
        defaultUploadLimitBytes: DEFAULT_UPLOAD_LIMIT,
        jobTimeoutMs: options.jobTimeoutMs ?? config.jobTimeoutMinutes * 60_000,
        niceness: config.jobNiceness,
      },
      () => void deliverer.kick(),
    );
    // A device asked for by name must work before members are served: otherwise every job would fail.
    const namedDevice = config.device === 'cuda' || config.device === 'webgpu';
    if (namedDevice) {
      try {
        await runner.warmUp(models.get(config.defaultModel)!.dir);
      } catch (e) {
        await runner.stop(0);
        store.close();
        // Only "this provider is not available here" is a setting to change; anything else (a damaged model, memory
        // the GPU lacks right now) may pass, so it exits 1 and a supervisor may try again.
        if (e instanceof InputError && e.code === 'bad-option') {
          throw new ConfigError(
            `MARIONETTE_DEVICE is ${config.device}, but it cannot be used here (${deviceFailure(e)}); set it to auto (or cpu), or see the README's GPU section.`,
          );
        }
        throw e;
      }
    }
    const queueUpdates = new QueueUpdates(store, api, logger);
    const ctx: BotContext = {
      config,
      store,
      logger,
      models,
      runner,
      deliverer,
      api,
      consent: new ConsentGate(store, logger, options.consentWaitMs),
      intake: new Semaphore(config.intakeConcurrency),
      queueUpdates,
    };
    const bot = new Bot(client, ctx, options);
    const route = createInteractionRouter(ctx, commands, buttons as readonly ButtonHandler<unknown>[], () => bot.shuttingDown);
    client.on(Events.InteractionCreate, (i) => void route(i));
    client.on(Events.Error, (e) => logger.error('discord client error', { error: e }));
    client.on(Events.Warn, (m) => logger.warn('discord client warning', { message: m }));
    client.rest.on('rateLimited', (r) => logger.warn('rate limited by Discord', { route: r.route, retryAfterMs: r.retryAfter, global: r.global }));

    try {
      const ready = once(client, Events.ClientReady);
      await client.login(config.token);
      await ready;
      checkApplication(config, client.application?.id ?? null);
    } catch (e) {
      await client.destroy();
      await runner.stop(0);
      store.close();
      throw isInvalidToken(e)
        ? new ConfigError(
            'DISCORD_TOKEN was refused by Discord (it is wrong, or was reset); copy the current one from the developer portal (Bot → Reset Token).',
          )
        : e;
    }
    logger.info('connected to Discord', { user: client.user?.tag, guilds: client.guilds.cache.size, models: models.names() });

    await bot.answerInterruptedCommands(startedMs);
    const defaultModel = models.get(config.defaultModel);
    // (Already warm when a device was named: checked before connecting.)
    if (defaultModel && !namedDevice) {
      runner.warmUp(defaultModel.dir).catch((e: unknown) => logger.error('warming up the engine failed', { error: e as Error }));
    }
    runner.start();
    deliverer.start(options.deliveryRetryMs ?? 15_000);
    queueUpdates.start(Math.max(5_000, config.progressIntervalSeconds * 1000));
    bot.sweepTimer = setInterval(() => bot.sweep(), options.sweepMs ?? 60 * 60_000);
    bot.sweep();
    return bot;
  }

  /**
   * Commands a previous process acknowledged but never queued: tell their members to send them again; and remove
   * the channel's "waiting for the terms" lines of commands it held (the prompt's own buttons still record the
   * member's answer, and ask them to run /animate again).
   */
  private async answerInterruptedCommands(startedMs: number): Promise<void> {
    // Only what was opened before this process started: commands can arrive as soon as it is connected (also
    // while this awaits Discord), and their intakes and waits are this process's own, still in progress.
    const waits = this.ctx.store.takeForgottenConsentWaits(startedMs);
    const intakes = this.ctx.store.takeInterruptedIntakes(startedMs);
    for (const wait of waits) {
      this.ctx.logger.info('consent wait forgotten by a restart', { interaction: wait.interactionId, user: wait.userId, removable: wait.token !== null });
      if (!wait.token) continue;
      await this.ctx.api
        .deleteOriginal(wait.token)
        .catch((e: unknown) => this.ctx.logger.warn('could not remove a waiting line', { interaction: wait.interactionId, error: (e as Error).message }));
    }
    for (const intake of intakes) {
      this.ctx.logger.info('interrupted command found', {
        interaction: intake.interactionId,
        guild: intake.guildId,
        user: intake.userId,
        answerable: intake.token !== null,
      });
      if (!intake.token) continue;
      await this.ctx.api
        .editOriginal(intake.token, { content: botMessages.interrupted, components: [] })
        .catch((e: unknown) =>
          this.ctx.logger.warn('could not answer an interrupted command', { interaction: intake.interactionId, error: (e as Error).message }),
        );
    }
  }

  private sweep(): void {
    try {
      const report = this.ctx.store.sweep();
      const { failures, ...counts } = report;
      if (report.expired > 0 || report.orphanDirsRemoved > 0) this.ctx.logger.info('retention sweep', { ...counts });
      for (const f of failures) this.ctx.logger.warn("retention could not remove a job's files; will try again", { job: f.jobId, error: f.error });
    } catch (e) {
      this.ctx.logger.error('retention sweep failed', { error: e as Error });
    }
  }

  async stop(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const { logger, runner, deliverer, store } = this.ctx;
    logger.info('shutting down');
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.ctx.queueUpdates.stop();
    await Promise.all([runner.stop(this.options.shutdownGraceMs ?? 20_000), this.ctx.consent.stop()]);
    await deliverer.stop();
    await this.client.destroy();
    store.close();
    logger.info('stopped');
  }
}

/** Discord refused the token (401 when asking for the gateway). */
function isInvalidToken(e: unknown): boolean {
  return e instanceof Error && (e as Error & { code?: unknown }).code === 'TokenInvalid';
}

/**
 * The application the token belongs to must be DISCORD_CLIENT_ID: status edits, follow-ups and interrupted-command
 * notices go to /webhooks/<client id>/<token>, and with another id every one of them fails (404) while the
 * command's first reply, sent by discord.js with the interaction's own id, still works and hides it.
 */
function checkApplication(config: BotConfig, applicationId: string | null): void {
  if (applicationId !== null && applicationId !== config.clientId) {
    throw new ConfigError(
      `DISCORD_CLIENT_ID is ${config.clientId}, but the token belongs to application ${applicationId}; set DISCORD_CLIENT_ID to ${applicationId} (General Information → Application ID in the developer portal).`,
    );
  }
}

/** Why the named device failed: each provider's reason as the engine recorded it, else the error's message. */
function deviceFailure(e: unknown): string {
  const rejected = e instanceof InputError ? e.context['rejected'] : undefined;
  if (Array.isArray(rejected) && rejected.length > 0) {
    return withoutPaths(rejected.map((r: { provider?: unknown; reason?: unknown }) => `${String(r.provider)}: ${String(r.reason)}`).join('; '));
  }
  return withoutPaths(e instanceof Error ? e.message : String(e));
}
