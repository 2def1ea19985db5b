import type { FakeGuildInit } from './fake-guild.js';

/** How a FakeDiscord starts; every field has a default. */
export interface FakeDiscordOptions {
  /** The bot token the bot must log in with; default a random one. */
  token?: string;
  /** Default: the bot user's id, as on Discord. */
  applicationId?: string;
  botUsername?: string;
  /** Default: one guild with one channel, #general. */
  guilds?: FakeGuildInit[];
  /** Per-file upload limit, also sent as interactions' `attachment_size_limit`; default 10 MiB. */
  attachmentSizeLimit?: number;
  /** How long interaction tokens work; default 15 minutes. */
  tokenLifetimeMs?: number;
  /** The acknowledgement window; default 3000 ms; null turns the rule off. */
  ackWindowMs?: number | null;
  /** HELLO's heartbeat_interval; default 41250 ms as on Discord. */
  heartbeatIntervalMs?: number;
  /**
   * GET /gateway/bot's `shards`. Default: about one per 1,000 guilds, raised until no shard would hold more than
   * `maxGuildsPerShard` (so 1 for any test with fewer than 1,000 guilds and the default limit).
   */
  recommendedShards?: number;
  /** A session whose shard would receive more guilds than this is closed with 4011 Sharding required; default 2500 as on Discord. */
  maxGuildsPerShard?: number;
  /** GET /gateway/bot's `session_start_limit.max_concurrency`; default 1. discord.js identifies one shard per bucket every 5 s. */
  maxConcurrency?: number;
  /**
   * Refuse, with op 9 Invalid Session as Discord does, an IDENTIFY less than 5 s after the last one in its
   * bucket (`shard_id % maxConcurrency`), across all processes. Default false: restarts in tests would wait.
   */
  enforceIdentifyRateLimit?: boolean;
  /** What attachment `url`s start with; default `http://127.0.0.1:PORT/cdn`. See docs/fake-discord.md. */
  cdnBaseUrl?: string;
  /** What attachment `proxy_url`s start with; default `http://127.0.0.1:PORT/media`. */
  mediaBaseUrl?: string;
  /** Append every REST request as a JSON line here; default `FAKE_DISCORD_LOG`. */
  logFile?: string;
  /** Default `DISCORD_OPENAPI_PATH` or the committed copy, `tests/support/fake-discord/openapi/discord-openapi.json`. */
  openApiPath?: string;
}
