import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { ConfigError, type BotConfig } from '../../config.js';
import { InputError, resolveFfmpeg, withoutPaths } from '../../engine/index.js';
import { JobRunner } from '../../jobs/job-runner.js';
import { ModelCatalog } from '../../jobs/model-catalog.js';
import { newWorkerId, type StoreConfig } from '../../store/index.js';
import { openJobStorage, type JobStorage } from '../../jobs/job-storage.js';
import { guildsOfShards, holdsFirstShard } from '../sharding/shard-of.js';
import type { Logger } from '../../util/log.js';
import { Semaphore } from '../../util/semaphore.js';
import { ConsentGate } from '../animate/consent-gate.js';
import { Deliverer } from '../delivery/deliverer.js';
import { DiscordApi } from '../discord/api.js';
import { jobStatusEvents } from '../status/job-status.js';
import { ProgressReporter } from '../status/progress-reporter.js';
import { QueueUpdates } from '../status/queue-updates.js';
import type { BotContext, ShardPart } from './context.js';

/**
 * The stages of the bot's start (bot.ts runs them in order): open the store → check what this machine must
 * have (a model, MARIONETTE_DEFAULT_MODEL among them, ffmpeg) → make the services → warm a named device →
 * connect to Discord. A stage that finds a setting wrong throws a ConfigError (exit 78).
 */
export interface StartOptions {
  readonly pollMs?: number;
  readonly jobTimeoutMs?: number;
  readonly consentWaitMs?: number;
  readonly storeConfig?: Partial<StoreConfig>;
}

const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;

export async function openStorage(config: BotConfig, options: StartOptions, logger: Logger): Promise<JobStorage> {
  const storeConfig = {
    workers: config.workers,
    leaseMs: config.leaseSeconds * 1000,
    guildStorageBytes: config.guildStorageMb * 1024 * 1024,
    ...options.storeConfig,
  };
  return openJobStorage(config, storeConfig, logger);
}

/** The models folder has models, the default one among them, and ffmpeg works: else members would get only failures. */
export async function checkInstallation(config: BotConfig, logger: Logger): Promise<ModelCatalog> {
  const models = new ModelCatalog(config.modelsDir, logger);
  await models.refresh(true);
  if (models.names().length === 0) {
    throw new ConfigError(
      `MARIONETTE_MODELS_DIR (${config.modelsDir}) holds no model; point it at the project's models folder (the built-in demo model is ` +
        'models/default) or convert one with `npx marionette convert`.',
    );
  }
  if (!models.get(config.defaultModel)) {
    // Members who pick no model get this one: a misspelt name must not fall back to another model unseen.
    throw new ConfigError(
      `MARIONETTE_DEFAULT_MODEL is "${config.defaultModel}", but ${config.modelsDir} has no model of that name; ` +
        `set it to one of: ${models.names().join(', ')}.`,
    );
  }
  resolveFfmpeg();
  return models;
}

/** The Discord client and every service the handlers use. */
export function createServices(
  config: BotConfig,
  logger: Logger,
  options: StartOptions,
  storage: JobStorage,
  models: ModelCatalog,
): { client: Client; ctx: BotContext } {
  const { store, files } = storage;
  // No reply discord.js sends pings anyone unless it says so (replies quote members' text: a model name, a file name).
  const client = new Client({ intents: [GatewayIntentBits.Guilds], allowedMentions: { parse: [] }, rest: config.apiBase ? { api: config.apiBase } : {} });
  const api = new DiscordApi(client.rest, config.clientId, () => client.user?.id ?? config.clientId);
  const shards = shardsOf(client);
  const progress = new ProgressReporter(store, api, logger, config.progressIntervalSeconds * 1000);
  const deliverer = new Deliverer(store, api, files, logger, shards.guilds);
  const runner = new JobRunner(store, models, files, jobStatusEvents(progress, deliverer), logger, {
    slots: config.workers,
    device: config.device,
    workerId: newWorkerId(),
    pollMs: options.pollMs ?? 2000,
    heartbeatMs: Math.min(10_000, store.config.leaseMs / 4),
    defaultUploadLimitBytes: DEFAULT_UPLOAD_LIMIT,
    jobTimeoutMs: options.jobTimeoutMs ?? config.jobTimeoutMinutes * 60_000,
    niceness: config.jobNiceness,
  });
  const consent = new ConsentGate(store, logger, options.consentWaitMs);
  const intake = new Semaphore(config.intakeConcurrency);
  const queueUpdates = new QueueUpdates(store, api, logger, (id) => runner.isRunning(id), shards.guilds);
  return { client, ctx: { config, store, files, logger, models, runner, deliverer, api, consent, intake, queueUpdates, shards } };
}

/**
 * This process's shards: a ShardingManager gives each bot process SHARDS and SHARD_COUNT in its environment, which
 * the client reads; an unsharded bot holds shard 0 of 1.
 */
function shardsOf(client: Client): ShardPart {
  const count = client.options.shardCount ?? 1;
  const ids = Array.isArray(client.options.shards) ? client.options.shards : [0];
  return { ids, count, guilds: guildsOfShards(ids, count), holdsFirst: holdsFirstShard(ids, count) };
}

/** A device asked for by name must work before members are served: otherwise every job would fail. */
export async function warmNamedDevice(ctx: BotContext): Promise<boolean> {
  const { config } = ctx;
  if (config.device !== 'cuda' && config.device !== 'webgpu') return false;
  try {
    await ctx.runner.warmUp(ctx.models.get(config.defaultModel)!.dir);
  } catch (e) {
    // Only "this provider is not available here" is a setting to change; anything else (a damaged model, memory
    // the GPU lacks right now) may pass, so it exits 1 and a supervisor may try again.
    if (e instanceof InputError && e.code === 'bad-option') {
      throw new ConfigError(
        `MARIONETTE_DEVICE is ${config.device}, but it cannot be used here (${deviceFailure(e)}); set it to auto (or cpu), or see docs/gpu.md.`,
      );
    }
    throw e;
  }
  return true;
}

/** Logs in, and checks the token is DISCORD_CLIENT_ID's. */
export async function connect(client: Client, config: BotConfig): Promise<void> {
  try {
    const ready = once(client, Events.ClientReady);
    await client.login(config.token);
    await ready;
  } catch (e) {
    if (isInvalidToken(e)) {
      throw new ConfigError(
        'DISCORD_TOKEN was refused by Discord (it is wrong, or was reset); copy the current one from the developer portal (Bot → Reset Token).',
      );
    }
    throw e;
  }
  checkApplication(config, client.application?.id ?? null);
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
      `DISCORD_CLIENT_ID is ${config.clientId}, but the token belongs to application ${applicationId}; set DISCORD_CLIENT_ID to ${applicationId} ` +
        '(General Information → Application ID in the developer portal).',
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
