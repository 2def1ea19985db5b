/**
 * MARIONETTE_SHARDS=<n>|auto: this process runs no bot itself; discord.js's ShardingManager runs one bot process per
 * gateway shard (this same script: a process it starts has SHARDING_MANAGER in its environment and runs the bot
 * for the shard its SHARDS names), restarts one that dies, and on SIGTERM stops them all gracefully. The processes
 * share the store (PostgreSQL, or SQLite on this host); each answers and delivers its own guilds (shard-of.ts).
 *
 * The count: the setting, or with auto Discord's recommendation from GET /gateway/bot, asked through DISCORD_API_BASE
 * (discord.js's own 'auto' always asks discord.com). Shards start as fast as the gateway's max_concurrency allows.
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type APIGatewayBotInfo, type Shard } from 'discord.js';
import type { BotConfig } from '../../config.js';
import type { Logger } from '../../util/log.js';

/** The bot's entry point (dist/src/bot/main.js), which each shard process runs. */
const BOT_SCRIPT = fileURLToPath(new URL('../main.js', import.meta.url));
/** Discord's wait between identifies of one rate-limit bucket. */
const IDENTIFY_SPACING_MS = 5_500;

/** Whether this process is a shard process started by a ShardingManager (it then runs the bot itself). */
export const isShardProcess = (env: NodeJS.ProcessEnv = process.env): boolean => env['SHARDING_MANAGER'] !== undefined;

export interface ShardPlan {
  readonly totalShards: number;
  readonly spawnDelayMs: number;
}

/** The shard count (the setting, or Discord's recommendation) and how far apart shard processes start. */
export async function planShards(config: BotConfig): Promise<ShardPlan> {
  const rest = new REST(config.apiBase ? { api: config.apiBase } : {}).setToken(config.token);
  const info = (await rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
  const totalShards = config.shards === 'auto' ? Math.max(1, info.shards) : (config.shards ?? 1);
  // max_concurrency shards may identify at once: with that many or more, no need to wait between them.
  const spawnDelayMs = info.session_start_limit.max_concurrency >= totalShards ? 0 : IDENTIFY_SPACING_MS;
  return { totalShards, spawnDelayMs };
}

export class ShardProcesses {
  private constructor(
    private readonly manager: ShardingManager,
    private readonly logger: Logger,
  ) {}

  static async start(config: BotConfig, logger: Logger): Promise<ShardProcesses> {
    const plan = await planShards(config);
    const manager = new ShardingManager(BOT_SCRIPT, { token: config.token, totalShards: plan.totalShards, mode: 'process', respawn: true });
    const running = new ShardProcesses(manager, logger);
    manager.on('shardCreate', (shard) => running.watch(shard));
    logger.info('starting shard processes', { shards: plan.totalShards, spawnDelayMs: plan.spawnDelayMs });
    await manager.spawn({ amount: plan.totalShards, delay: plan.spawnDelayMs, timeout: 120_000 });
    logger.info('all shards ready', { shards: plan.totalShards });
    return running;
  }

  private watch(shard: Shard): void {
    shard.on('spawn', () => this.logger.info('shard process started', { shard: shard.id, pid: shard.process?.pid ?? null }));
    shard.on('death', () => {
      const exit = { exitCode: shard.process?.exitCode ?? null, signal: shard.process?.signalCode ?? null };
      if (this.manager.respawn) this.logger.warn('shard process died; starting it again', { shard: shard.id, ...exit });
    });
  }

  /** SIGTERM to every shard process (each stops as the bot does: running jobs finish or go back), then waits for them. */
  async stop(): Promise<void> {
    this.manager.respawn = false;
    const exits = [...this.manager.shards.values()].map(async (shard) => {
      const child = shard.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    });
    await Promise.all(exits);
    this.logger.info('all shard processes stopped');
  }
}
