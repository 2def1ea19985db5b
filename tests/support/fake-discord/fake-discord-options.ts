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
  /** What attachment `url`s start with; default `http://127.0.0.1:PORT/cdn`. See docs/fake-discord.md. */
  cdnBaseUrl?: string;
  /** What attachment `proxy_url`s start with; default `http://127.0.0.1:PORT/media`. */
  mediaBaseUrl?: string;
  /** Append every REST request as a JSON line here; default `FAKE_DISCORD_LOG`. */
  logFile?: string;
  /** Default `DISCORD_OPENAPI_PATH` or the committed copy, `tests/support/fake-discord/openapi/discord-openapi.json`. */
  openApiPath?: string;
}
