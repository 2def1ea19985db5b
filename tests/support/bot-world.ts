import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot, type BotOptions } from '../../src/bot/app/bot.js';
import { loadConfig, type BotConfig } from '../../src/config.js';
import { renderShape, writeShapeImage, writeShapeVideo, type ShapePose } from '../../src/demo/synthetic-media.js';
import { createLogger } from '../../src/util/log.js';
import { REPO_ROOT } from './cli.js';
import { FakeDiscord, type FakeAttachment, type FakeDiscordOptions, type FakeUser } from './fake-discord/index.js';
import { readFileSync } from 'node:fs';

/**
 * A bot world for end-to-end tests: the fake Discord, the real bot (in this
 * process, or a child process for kill -9 tests) with its own data folder, the
 * repository's models, the CPU, and synthetic media. Nothing of the bot is mocked.
 */
export function realisticToken(botId: string): string {
  return `${Buffer.from(botId).toString('base64url')}.${randomBytes(5).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
}

export interface WorldOptions {
  readonly discord?: Partial<FakeDiscordOptions>;
  readonly bot?: BotOptions;
  readonly env?: Record<string, string>;
}

export class BotWorld {
  readonly logLines: string[] = [];
  bot: Bot | null = null;

  private constructor(
    readonly discord: FakeDiscord,
    readonly dataDir: string,
    readonly mediaDir: string,
    readonly options: WorldOptions,
  ) {}

  static async create(options: WorldOptions = {}): Promise<BotWorld> {
    const botId = String(BigInt(Date.now() - 1420070400000) << 22n);
    const discord = await FakeDiscord.start({ token: realisticToken(botId), ...options.discord });
    const dataDir = mkdtempSync(join(tmpdir(), 'marionette-bot-'));
    const mediaDir = join(dataDir, 'media');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(mediaDir);
    return new BotWorld(discord, dataDir, mediaDir, options);
  }

  /** The environment a bot process gets (the same for in-process and child bots). */
  env(): Record<string, string> {
    return {
      DISCORD_TOKEN: this.discord.token,
      DISCORD_CLIENT_ID: this.discord.applicationId,
      DISCORD_API_BASE: this.discord.apiBase,
      MARIONETTE_CDN_HOSTS: '127.0.0.1',
      MARIONETTE_ALLOW_INSECURE_CDN: '1',
      MARIONETTE_DATA_DIR: this.dataDir,
      MARIONETTE_MODELS_DIR: join(REPO_ROOT, 'models'),
      MARIONETTE_DEVICE: 'cpu',
      MARIONETTE_PROGRESS_SECONDS: '1',
      LOG_LEVEL: 'debug',
      ...this.options.env,
    };
  }

  config(): BotConfig {
    return loadConfig(this.env());
  }

  async startBot(): Promise<Bot> {
    const config = this.config();
    const logger = createLogger({ level: 'debug', redact: [config.token], write: (l) => this.logLines.push(l) });
    this.bot = await Bot.start(config, logger, { pollMs: 200, deliveryRetryMs: 500, shutdownGraceMs: 2000, ...this.options.bot });
    await this.discord.waitForReady();
    return this.bot;
  }

  get store() {
    if (!this.bot) throw new Error('bot not started');
    return this.bot.ctx.store;
  }

  /** A member who already accepted the terms. */
  async member(username = `member${randomBytes(3).toString('hex')}`): Promise<FakeUser> {
    const user = this.discord.addUser({ username });
    await this.store.setConsent(user.id, 'accepted');
    return user;
  }

  async photo(name = 'photo.png', pose: ShapePose = { cx: 0, cy: 0, angle: 0.3, scale: 0.8 }): Promise<FakeAttachment> {
    const path = join(this.mediaDir, name);
    await writeShapeImage(path, 200, 160, pose);
    return this.discord.addAttachment({ filename: name, contentType: name.endsWith('.png') ? 'image/png' : 'image/jpeg', data: readFileSync(path) });
  }

  async video(name = 'driving.mp4', frames = 20, fps = 10, audio = true): Promise<FakeAttachment> {
    const path = join(this.mediaDir, `${randomBytes(3).toString('hex')}-${name}`);
    await writeShapeVideo(path, {
      width: 160,
      height: 160,
      fps,
      frames,
      audio,
      pose: (i) => ({ cx: 0.2 * Math.sin(i / 4), cy: 0, angle: i * 0.08, scale: 1 }),
    });
    return this.discord.addAttachment({ filename: name, contentType: 'video/mp4', data: readFileSync(path), durationSecs: frames / fps });
  }

  /** Every secret the bot was given: the bot token and each interaction's token. */
  secrets(): string[] {
    return [this.discord.token, ...this.discord.interactions().map((i) => i.token)];
  }

  /** Stops everything; fails if any secret reached the bot's logs. */
  async close(): Promise<void> {
    await this.bot?.stop();
    const logs = this.logLines.join('');
    const leaked = this.secrets().filter((s) => logs.includes(s));
    await this.discord.close();
    rmSync(this.dataDir, { recursive: true, force: true });
    if (leaked.length > 0) throw new Error(`${leaked.length} secret(s) appeared in the bot's logs`);
  }
}

export { renderShape };

/** A recorded request's JSON body field (bodies are untyped in the recording). */
export function bodyField(r: { json?: unknown }, key: string): unknown {
  return typeof r.json === 'object' && r.json !== null ? (r.json as Record<string, unknown>)[key] : undefined;
}
