import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { GatewayDispatchEvents, type APIApplicationCommand, type APIMessage, type ApplicationFlags } from 'discord.js';
import { Cdn, type CdnRequest } from './cdn.js';
import { Clock } from './clock.js';
import { CommandRegistry } from './command-registry.js';
import type { FakeChannel } from './fake-channel.js';
import type { FakeDiscordOptions } from './fake-discord-options.js';
import type { AttachmentInit, FakeAttachment } from './fake-attachment.js';
import type { FakeGuild, FakeGuildInit } from './fake-guild.js';
import { FakeUser, type FakeUserInit } from './fake-user.js';
import { FaultPlan, type RestFault } from './faults.js';
import { GatewayServer, type DispatchRecord, type GatewayRefusal, type GatewaySessionInfo, type IdentifyRecord } from './gateway.js';
import { GATEWAY_PATH, listen, shutdown } from './http-server.js';
import { InteractionRegistry, type Acknowledgement, type FakeInteraction } from './interaction.js';
import {
  InteractionDispatcher,
  type AutocompleteInput,
  type ButtonClickInput,
  type ModalSubmitInput,
  type SlashCommandInput,
} from './interaction-dispatcher.js';
import { MessageComposer } from './message-composer.js';
import { MessageStore } from './message-store.js';
import { OpenApiValidator } from './openapi-validator.js';
import { Recorder } from './recorder.js';
import { RestHandler } from './rest-handler.js';
import { RouteTable } from './route-table.js';
import { registerApplicationRoutes } from './routes/application-routes.js';
import { registerChannelRoutes } from './routes/channel-routes.js';
import { registerGatewayRoutes } from './routes/gateway-routes.js';
import { registerInteractionRoutes } from './routes/interaction-routes.js';
import { registerUserRoutes } from './routes/user-routes.js';
import { registerWebhookRoutes } from './routes/webhook-routes.js';
import { recommendedShardCount, shardOf } from './sharding.js';
import { Snowflakes } from './snowflake.js';
import type { FakeState } from './state.js';
import type { RecordedRequest, Violation } from './types.js';
import { World } from './world.js';

const MiB = 1024 * 1024;

/**
 * A local Discord for tests: REST under `/api/v10` checked against Discord's
 * OpenAPI description, the gateway WebSocket, and a CDN, all on one
 * 127.0.0.1 port. Point discord.js at it with
 * `new Client({ intents, rest: { api: discord.apiBase } })` and log in with
 * `discord.token`. See docs/fake-discord.md.
 */
export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: FakeUser;
  /** A user for interactions that name none. */
  readonly defaultUser: FakeUser;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Pass as discord.js `rest.api`. */
  readonly apiBase: string;
  readonly gatewayUrl: string;

  readonly #server: Server;
  readonly #state: FakeState;
  readonly #gateway: GatewayServer;
  readonly #recorder: Recorder;
  readonly #faults = new FaultPlan();
  readonly #dispatcher: InteractionDispatcher;
  readonly #rest: RestHandler;
  readonly #recommendedShards: () => number;

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const validator = OpenApiValidator.forFile(options.openApiPath);
    // The handlers read it once the server answers, after it is assigned below.
    // eslint-disable-next-line prefer-const
    let fake: FakeDiscord | undefined;
    const { server, port } = await listen({
      rest: (req, res, url) => (fake as FakeDiscord).#rest.handle(req, res, url),
      cdn: (req, res, pathname) => (fake as FakeDiscord).#state.cdn.serve(req, res, pathname),
      upgrade: (req, socket, head) => (fake as FakeDiscord).#gateway.handleUpgrade(req, socket, head),
    });
    fake = new FakeDiscord(options, server, port, validator);
    return fake;
  }

  private constructor(options: FakeDiscordOptions, server: Server, port: number, validator: OpenApiValidator) {
    this.#server = server;
    this.origin = `http://127.0.0.1:${port}`;
    this.apiBase = `${this.origin}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}${GATEWAY_PATH}`;
    this.token = options.token ?? `fake.${randomBytes(18).toString('base64url')}`;

    const clock = new Clock();
    const ids = new Snowflakes(clock);
    this.botUser = new FakeUser(options.applicationId ?? ids.next(), { username: options.botUsername ?? 'Marionette', bot: true });
    this.applicationId = options.applicationId ?? this.botUser.id;
    const world = new World(ids, this.botUser);
    for (const guild of options.guilds ?? [{}]) world.addGuild(guild);
    this.defaultUser = world.addUser({ username: 'tester' });
    const cdn = new Cdn(
      { origin: this.origin, cdnBase: options.cdnBaseUrl ?? `${this.origin}/cdn`, mediaBase: options.mediaBaseUrl ?? `${this.origin}/media` },
      ids,
      clock,
    );
    const attachmentSizeLimit = options.attachmentSizeLimit ?? 10 * MiB;
    const limits = {
      maxGuildsPerShard: positiveInteger('maxGuildsPerShard', options.maxGuildsPerShard ?? 2500),
      maxConcurrency: positiveInteger('maxConcurrency', options.maxConcurrency ?? 1),
    };
    const fixedShards = options.recommendedShards === undefined ? undefined : positiveInteger('recommendedShards', options.recommendedShards);
    this.#recommendedShards = () =>
      fixedShards ??
      recommendedShardCount(
        world.guilds.map((g) => g.id),
        limits.maxGuildsPerShard,
      );
    this.#state = {
      applicationId: this.applicationId,
      world,
      messages: new MessageStore(),
      composer: new MessageComposer(ids, clock, cdn),
      interactions: new InteractionRegistry(options.tokenLifetimeMs ?? 15 * 60_000),
      commands: new CommandRegistry(ids, this.applicationId),
      cdn,
      clock,
      ids,
      gatewayUrl: this.gatewayUrl,
      gatewayBot: () => ({
        url: this.gatewayUrl,
        shards: this.recommendedShards,
        session_start_limit: {
          total: 1000,
          remaining: Math.max(0, 1000 - this.#gateway.identifies.length),
          reset_after: 86_400_000,
          max_concurrency: limits.maxConcurrency,
        },
      }),
      attachmentSizeLimit,
      ackWindowMs: options.ackWindowMs === undefined ? 3000 : options.ackWindowMs,
    };

    this.#gateway = new GatewayServer({
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      limits,
      enforceIdentifyRateLimit: options.enforceIdentifyRateLimit ?? false,
      now: () => clock.now(),
      guildIds: () => world.guilds.map((g) => g.id),
      ready: (sessionId, shard, guildIds) => ({
        v: 10,
        user: { ...this.botUser.toAPI(), verified: true, mfa_enabled: true, email: null },
        guilds: guildIds.map((id) => ({ id, unavailable: true })),
        session_id: sessionId,
        resume_gateway_url: this.gatewayUrl,
        ...(shard ? { shard } : {}),
        application: { id: this.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
      }),
      guildCreate: (id) => this.guild(id).toGuildCreate(this.botUser.toAPI()),
      violation: (violation) => this.#recorder.addViolation(violation),
    });
    this.#dispatcher = new InteractionDispatcher(this.#state, this.#gateway, this.defaultUser);

    const routes = new RouteTable();
    for (const register of [
      registerGatewayRoutes,
      registerApplicationRoutes,
      registerUserRoutes,
      registerChannelRoutes,
      registerInteractionRoutes,
      registerWebhookRoutes,
    ]) {
      register(routes, this.#state);
    }
    this.#recorder = new Recorder(options.logFile ?? process.env['FAKE_DISCORD_LOG'], this.token);
    this.#rest = new RestHandler({
      validator,
      routes,
      recorder: this.#recorder,
      faults: this.#faults,
      clock,
      token: this.token,
      // Up to 10 files at the limit each, plus the JSON.
      maxBodyBytes: 10 * attachmentSizeLimit + MiB,
    });
  }

  async close(): Promise<void> {
    await this.#gateway.close();
    await shutdown(this.#server);
    await this.#recorder.close();
  }

  // ── the world ──────────────────────────────────────────────────────────

  get guilds(): readonly FakeGuild[] {
    return this.#state.world.guilds;
  }

  /** The first guild, or the one with `id`. */
  guild(id?: string): FakeGuild {
    const guild = id === undefined ? this.#state.world.guilds[0] : this.#state.world.guild(id);
    if (!guild) throw new Error(`The fake has no guild ${id ?? '(none at all)'}`);
    return guild;
  }

  /** The first guild's first channel, or the channel with `id`. */
  channel(id?: string): FakeChannel {
    const channel = id === undefined ? this.guild().channels[0] : this.#state.world.channel(id);
    if (!channel) throw new Error(`The fake has no channel ${id ?? '(none at all)'}`);
    return channel;
  }

  addUser(init: FakeUserInit = {}): FakeUser {
    return this.#state.world.addUser(init);
  }

  user(id: string): FakeUser | undefined {
    return this.#state.world.users.get(id);
  }

  /** The bot's DM channel with `user` (made if the bot has not opened it yet). */
  dmChannel(user: FakeUser): FakeChannel {
    return this.#state.world.dmChannel(user);
  }

  /** Changes what the bot may do in a guild channel and tells the bot (CHANNEL_UPDATE, on the guild's shard) once it has identified. */
  async updateChannel(channelId: string, change: { botCanSend?: boolean }): Promise<void> {
    const channel = this.channel(channelId);
    if (change.botCanSend !== undefined) channel.botCanSend = change.botCanSend;
    if (channel.guildId !== null && this.#gateway.hasSession) {
      await this.#gateway.dispatch(GatewayDispatchEvents.ChannelUpdate, this.#state.world.channelToAPI(channel), channel.guildId);
    }
  }

  /**
   * The bot joins a guild: once a bot has identified, the shard that owns it gets GUILD_CREATE, as on Discord.
   * `onShard: [shard_id, num_shards]` picks an id on that shard.
   */
  async addGuild(init: FakeGuildInit = {}): Promise<FakeGuild> {
    const guild = this.#state.world.addGuild(init);
    if (this.#gateway.hasSession) await this.#gateway.dispatch(GatewayDispatchEvents.GuildCreate, guild.toGuildCreate(this.botUser.toAPI()), guild.id);
    return guild;
  }

  /** The guilds a session on `[shardId, numShards]` receives. */
  guildsOnShard(shardId: number, numShards: number): FakeGuild[] {
    return this.guilds.filter((g) => shardOf(g.id, numShards) === shardId);
  }

  /** Which shard of `numShards` receives a guild's events: `(guild_id >> 22) % num_shards`. */
  static shardOf(guildId: string, numShards: number): number {
    return shardOf(guildId, numShards);
  }

  /** A file on the fake's CDN, to pass as an attachment option. */
  addAttachment(init: AttachmentInit): FakeAttachment {
    return this.#state.cdn.add({ ...init, channelId: init.channelId ?? this.channel().id });
  }

  /** The bytes behind an attachment the bot uploaded or a test added (by object, id or URL). */
  attachmentData(attachment: { id: string } | string): Buffer {
    const id = typeof attachment === 'string' ? (/\/attachments\/\d+\/(\d+)\//.exec(attachment)?.[1] ?? attachment) : attachment.id;
    const file = this.#state.cdn.get(id);
    if (!file) throw new Error(`No attachment ${id} on the fake's CDN`);
    return file.data;
  }

  /** Maps an attachment URL the fake handed out (even one naming cdn.discordapp.com) to where this server serves it. */
  localCdnUrl(url: string): string {
    return this.#state.cdn.localUrl(url);
  }

  get cdnRequests(): readonly CdnRequest[] {
    return this.#state.cdn.requests;
  }

  /** Every message the bot made (ephemeral ones too), oldest first; optionally in one channel. */
  messages(filter: { channelId?: string } = {}): APIMessage[] {
    return this.#state.messages.all().filter((m) => filter.channelId === undefined || m.channel_id === filter.channelId);
  }

  message(id: string): APIMessage | undefined {
    return this.#state.messages.get(id);
  }

  /** Commands the bot registered, globally (no argument) or in one guild. */
  commands(guildId?: string): APIApplicationCommand[] {
    return this.#state.commands.list(guildId ?? null);
  }

  // ── time ───────────────────────────────────────────────────────────────

  now(): number {
    return this.#state.clock.now();
  }

  /** Moves the fake's clock on: tokens and the ack window age, nothing else happens. */
  advanceTime(ms: number): void {
    this.#state.clock.advance(ms);
  }

  // ── interactions ───────────────────────────────────────────────────────

  /** Dispatches a slash command (INTERACTION_CREATE) and returns it once the frame is sent. */
  slashCommand(input: SlashCommandInput): Promise<FakeInteraction> {
    return this.#dispatcher.slashCommand(input);
  }

  /** Dispatches a button click on a message the bot sent, with the message as it is now. */
  autocomplete(input: AutocompleteInput): Promise<FakeInteraction> {
    return this.#dispatcher.autocomplete(input);
  }

  clickButton(input: ButtonClickInput): Promise<FakeInteraction> {
    return this.#dispatcher.clickButton(input);
  }

  /** Submits the last modal the bot showed with this custom_id, as the user it was shown to. */
  submitModal(input: ModalSubmitInput): Promise<FakeInteraction> {
    return this.#dispatcher.submitModal(input);
  }

  interaction(id: string): FakeInteraction | undefined {
    return this.#state.interactions.get(id);
  }

  interactions(): FakeInteraction[] {
    return this.#state.interactions.all();
  }

  /** Interactions that reached no gateway session: no live session was on the shard that owns their guild. */
  undeliveredInteractions(): FakeInteraction[] {
    return this.interactions().filter((i) => !i.delivered);
  }

  /** Ack latencies (ms) of every acknowledged interaction, in dispatch order. */
  ackLatencies(): number[] {
    return this.interactions()
      .map((i) => i.ack)
      .filter((a): a is Acknowledgement => a !== undefined)
      .map((a) => a.latencyMs);
  }

  // ── the gateway ────────────────────────────────────────────────────────

  /**
   * Resolves once the gateway accepted at least `identifies` IDENTIFYs (default 1) and every shard of the latest
   * one's `num_shards` is connected and has had READY and its GUILD_CREATEs; with `shard`, only that shard.
   */
  waitForReady({ identifies = 1, timeout = 10_000, shard }: { identifies?: number; timeout?: number; shard?: number } = {}): Promise<void> {
    return this.#gateway.waitForReady(identifies, timeout, shard);
  }

  /** Every IDENTIFY that started a session (intents, properties, shard…), token removed; refused ones are in `gatewayRefusals`. */
  get identifies(): readonly IdentifyRecord[] {
    return this.#gateway.identifies;
  }

  /** GET /gateway/bot's `shards` now. */
  get recommendedShards(): number {
    return this.#recommendedShards();
  }

  /** Every gateway session, in IDENTIFY order, with its shard and the guilds it receives. */
  gatewaySessions(): GatewaySessionInfo[] {
    return this.#gateway.sessions();
  }

  /** Every dispatch frame sent or queued, per session: READY, GUILD_CREATE, INTERACTION_CREATE… with its shard. */
  get dispatches(): readonly DispatchRecord[] {
    return this.#gateway.dispatches;
  }

  /** IDENTIFYs the gateway turned down: 4010 Invalid shard, 4011 Sharding required, op 9 when rate limited. */
  get gatewayRefusals(): readonly GatewayRefusal[] {
    return this.#gateway.refusals;
  }

  get resumeCount(): number {
    return this.#gateway.resumeCount;
  }

  /**
   * Cuts a gateway connection: no code kills the socket (the bot resumes); a close code is sent as is.
   * With several connected shards, `shard` (the shard id) says which; the others are untouched.
   */
  dropGateway({ code, shard }: { code?: number; shard?: number } = {}): void {
    this.#gateway.drop(code, shard);
  }

  /** Op 9 Invalid Session; not resumable by default, so the bot IDENTIFYs afresh. `shard` as for `dropGateway`. */
  invalidateSession({ resumable = false, shard }: { resumable?: boolean; shard?: number } = {}): void {
    this.#gateway.invalidateSession(resumable, shard);
  }

  /** Op 7 Reconnect: the bot reconnects and RESUMEs. `shard` as for `dropGateway`. */
  requestReconnect({ shard }: { shard?: number } = {}): void {
    this.#gateway.requestReconnect(shard);
  }

  // ── REST: recording, faults, validation ───────────────────────────────

  get requests(): readonly RecordedRequest[] {
    return this.#recorder.requests;
  }

  /** The first request (already made or still to come) that `match` accepts. */
  waitForRequest(match: (r: RecordedRequest) => boolean, { timeout = 5000 }: { timeout?: number } = {}): Promise<RecordedRequest> {
    return this.#recorder.waitFor(match, timeout);
  }

  /** Answers the next matching request(s) with a 429 (default), 500… instead of handling them. */
  failRequests(fault: RestFault): void {
    this.#faults.add(fault);
  }

  get violations(): readonly Violation[] {
    return this.#recorder.violations;
  }

  /** Returns the violations so far and forgets them, for tests that provoke some on purpose. */
  takeViolations(): Violation[] {
    return this.#recorder.takeViolations();
  }

  /** Throws, listing them, if the bot made any request real Discord would refuse, or ran its gateway sessions in a layout that loses events. */
  assertNoViolations(): void {
    this.#recorder.assertNoViolations();
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`FakeDiscord option ${name} must be a whole number ≥ 1; got ${value}`);
  return value;
}
