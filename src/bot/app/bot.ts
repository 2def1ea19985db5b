import { Events, type Client } from 'discord.js';
import { commands } from '../../../commands/index.js';
import type { BotConfig } from '../../config.js';
import type { JobStorage } from '../../jobs/job-storage.js';
import type { Logger } from '../../util/log.js';
import { botMessages } from '../messages/bot.js';
import { buttons } from './buttons.js';
import type { BotContext, ButtonHandler } from './context.js';
import { createInteractionRouter } from './interaction-router.js';
import { checkInstallation, connect, createServices, openStorage, warmNamedDevice, type StartOptions } from './start-up.js';

/**
 * The bot process: the Discord client (gateway + REST), the job store, the job
 * runner (engines in worker threads) and the deliverer. `start` resumes
 * whatever a previous process left (queued and interrupted jobs, undelivered
 * results); `stop` stops taking commands, lets the running job finish or hands
 * it back, and closes the database.
 */
export interface BotOptions extends StartOptions {
  /** How long a running job may finish on shutdown before it is handed back to the queue. */
  readonly shutdownGraceMs?: number;
  readonly deliveryRetryMs?: number;
  readonly sweepMs?: number;
}

export class Bot {
  private shuttingDown = false;
  private sweepTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly client: Client,
    readonly ctx: BotContext,
    private readonly storage: JobStorage,
    private readonly options: BotOptions,
  ) {}

  /** Start-up, in stages (start-up.ts); whatever a stage opened is closed again if a later one fails. */
  static async start(config: BotConfig, logger: Logger, options: BotOptions = {}): Promise<Bot> {
    const storage = await openStorage(config, options, logger);
    // Intakes and consent waits opened before this moment are a previous process's; after it, this one's own.
    const startedMs = storage.store.now();
    const models = await checkInstallation(config, logger).catch(closing(storage));
    const { client, ctx } = createServices(config, logger, options, storage, models);
    const bot = new Bot(client, ctx, storage, options);
    let warm = false;
    try {
      warm = await warmNamedDevice(ctx);
      bot.listen();
      await connect(client, config);
    } catch (e) {
      await client.destroy();
      await ctx.runner.stop(0);
      return closing(storage)(e);
    }
    logger.info('connected to Discord', { user: client.user?.tag, guilds: client.guilds.cache.size, models: models.names(), pid: process.pid });
    await bot.resume(startedMs, warm);
    return bot;
  }

  /** Routes interactions to the commands and buttons, and logs what the client reports. */
  private listen(): void {
    const { logger } = this.ctx;
    const route = createInteractionRouter(this.ctx, commands, buttons as readonly ButtonHandler<unknown>[], () => this.shuttingDown);
    this.client.on(Events.InteractionCreate, (i) => void route(i));
    this.client.on(Events.Error, (e) => logger.error('discord client error', { error: e }));
    this.client.on(Events.Warn, (m) => logger.warn('discord client warning', { message: m }));
    this.client.rest.on('rateLimited', (r) => logger.warn('rate limited by Discord', { route: r.route, retryAfterMs: r.retryAfter, global: r.global }));
  }

  /** Takes up what a previous process left, warms the default model (unless a named device already did), and starts work. */
  private async resume(startedMs: number, warm: boolean): Promise<void> {
    const { config, models, runner, deliverer, queueUpdates, logger } = this.ctx;
    await this.answerInterruptedCommands(startedMs);
    const defaultModel = models.get(config.defaultModel);
    if (defaultModel && !warm) runner.warmUp(defaultModel.dir).catch((e: unknown) => logger.error('warming up the engine failed', { error: e as Error }));
    await runner.start();
    // With PostgreSQL, other processes finish jobs too (workers, other shards): look for results more often.
    deliverer.start(this.options.deliveryRetryMs ?? (config.databaseUrl !== null ? 2_000 : 15_000));
    queueUpdates.start(Math.max(5_000, config.progressIntervalSeconds * 1000));
    // Retention is the whole bot's: one process does it (the one with shard 0).
    if (this.ctx.shards.holdsFirst) {
      this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepMs ?? 60 * 60_000);
      void this.sweep();
    }
  }

  /**
   * Commands a previous process acknowledged but never queued: tell their members to send them again; and remove
   * the channel's "waiting for the terms" lines of commands it held (the prompt's own buttons still record the
   * member's answer, and ask them to run /animate again).
   */
  private async answerInterruptedCommands(startedMs: number): Promise<void> {
    // Only what was opened before this process started: commands can arrive as soon as it is connected (also
    // while this awaits Discord), and their intakes and waits are this process's own, still in progress.
    // A sharded bot's processes each take their own guilds' (another shard's may still be in progress).
    const waits = await this.ctx.store.takeForgottenConsentWaits(startedMs, this.ctx.shards.guilds);
    const intakes = await this.ctx.store.takeInterruptedIntakes(startedMs, this.ctx.shards.guilds);
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

  private async sweep(): Promise<void> {
    try {
      const report = await this.ctx.store.sweep();
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
    const { logger, runner, deliverer } = this.ctx;
    logger.info('shutting down');
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.ctx.queueUpdates.stop();
    await Promise.all([runner.stop(this.options.shutdownGraceMs ?? 20_000), this.ctx.consent.stop()]);
    await deliverer.stop();
    await this.client.destroy();
    await this.storage.close();
    logger.info('stopped');
  }
}

/** Closes the store, then throws on: for a start-up stage that failed. */
function closing(storage: JobStorage): (e: unknown) => Promise<never> {
  return async (e: unknown) => {
    await storage.close();
    throw e;
  };
}
