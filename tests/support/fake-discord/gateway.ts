import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayOpcodes, type GatewayGuildCreateDispatchData, type GatewayReadyDispatchData } from 'discord.js';
import { WebSocket, WebSocketServer } from 'ws';
import { formatShard, parseShard, shardOf, shardReceives, type ShardingLimits, type ShardTuple } from './sharding.js';
import type { Violation } from './types.js';
import { Waiters } from './wait.js';

/**
 * The gateway WebSocket: HELLO, IDENTIFY → READY and one GUILD_CREATE per
 * guild, heartbeat ACKs, RESUME → replay of missed events and RESUMED, and
 * dispatches. Sessions outlive their sockets, so a dropped bot can resume and
 * receive what was dispatched meanwhile; a fresh IDENTIFY starts a new session
 * and what the old one missed is lost, as on Discord. A client that closes
 * with 1000 or 1001 ends its session, as on Discord.
 *
 * Sharding as on Discord: each session is one shard (`[0, 1]` when IDENTIFY
 * has no `shard`), READY and GUILD_CREATE carry only that shard's guilds, and
 * an event for a guild goes to every live session whose shard owns the guild
 * (DMs: shard 0). A bad `shard` is closed with 4010, a shard that would hold
 * more than `maxGuildsPerShard` guilds with 4011.
 *
 * Payloads always go out as JSON text frames, whatever compression the client
 * asked for; discord.js reads text frames in every mode.
 */
export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  limits: ShardingLimits;
  /** IDENTIFYs in one bucket (`shard_id % max_concurrency`) less than 5 s apart get op 9, as on Discord. */
  enforceIdentifyRateLimit: boolean;
  /** The fake clock. */
  now: () => number;
  /** Every guild the bot is in, in order. */
  guildIds: () => readonly string[];
  ready: (sessionId: string, shard: ShardTuple | null, guildIds: readonly string[]) => GatewayReadyDispatchData;
  guildCreate: (guildId: string) => GatewayGuildCreateDispatchData;
  violation: (violation: Violation) => void;
}

interface DispatchFrame {
  op: GatewayOpcodes.Dispatch;
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  /** What routing uses: IDENTIFY's `shard`, or `[0, 1]`. */
  shard: ShardTuple;
  /** Whether IDENTIFY carried `shard`. */
  sharded: boolean;
  seq: number;
  backlog: DispatchFrame[];
  socket: WebSocket | null;
  live: boolean;
  /** READY and every GUILD_CREATE sent. */
  ready: boolean;
  resumes: number;
}

/** What the bot sent in IDENTIFY, token removed. Only IDENTIFYs that started a session are kept. */
export type IdentifyRecord = Record<string, unknown>;

/** Where one dispatch went: a session, and whether it was queued for that session's RESUME. */
export interface GatewayDelivery {
  sessionId: string;
  shard: ShardTuple;
  /** The session was disconnected: the frame waits for its RESUME. */
  queued: boolean;
}

/** One dispatch frame sent (or queued) to one session. */
export interface DispatchRecord extends GatewayDelivery {
  s: number;
  t: string;
  /** The guild the event belongs to (it decided the shard); null for READY, RESUMED and DM events. */
  guildId: string | null;
  d: unknown;
}

/** A gateway session as tests see it. */
export interface GatewaySessionInfo {
  id: string;
  shard: ShardTuple;
  /** Whether IDENTIFY carried `shard` (discord.js always sends it). */
  sharded: boolean;
  /** Not invalidated: it receives events now or on its RESUME. */
  live: boolean;
  connected: boolean;
  /** READY and its GUILD_CREATEs have been sent. */
  ready: boolean;
  resumes: number;
  /** The guilds the session receives events of, now. */
  guildIds: string[];
}

/** An IDENTIFY the gateway turned down. */
export interface GatewayRefusal {
  /** Fake-clock ms. */
  at: number;
  /** IDENTIFY's `shard` as sent (undefined when absent). */
  shard: unknown;
  /** The close code (4010, 4011), or `invalid-session` for op 9 (identify rate limit). */
  refusal: GatewayCloseCodes.InvalidShard | GatewayCloseCodes.ShardingRequired | 'invalid-session';
  reason: string;
}

const BACKLOG_LIMIT = 5000;
const IDENTIFY_WINDOW_MS = 5000;

export class GatewayServer {
  readonly identifies: IdentifyRecord[] = [];
  readonly dispatches: DispatchRecord[] = [];
  readonly refusals: GatewayRefusal[] = [];
  resumeCount = 0;
  readonly #wss = new WebSocketServer({ noServer: true });
  /** In IDENTIFY order. */
  readonly #sessions = new Map<string, Session>();
  readonly #readyWaiters = new Waiters<void>();
  /** Fake-clock ms of the last accepted IDENTIFY per rate-limit bucket. */
  readonly #lastIdentify = new Map<number, number>();

  constructor(private readonly options: GatewayOptions) {
    this.#wss.on('connection', (ws, req) => this.#onConnection(ws, req));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  /** True once a bot has identified: dispatches then reach it now or on its RESUME. */
  get hasSession(): boolean {
    return this.#sessions.size > 0;
  }

  /** True while at least one identified (or resumed) session has its socket open. */
  get connected(): boolean {
    return [...this.#sessions.values()].some(isOpen);
  }

  sessions(): GatewaySessionInfo[] {
    const guildIds = this.options.guildIds();
    return [...this.#sessions.values()].map((s) => ({
      id: s.id,
      shard: [...s.shard],
      sharded: s.sharded,
      live: s.live,
      connected: isOpen(s),
      ready: s.ready,
      resumes: s.resumes,
      guildIds: guildIds.filter((id) => shardReceives(s.shard, id)),
    }));
  }

  /**
   * Sends an event to every live session that receives `guildId`'s events
   * (`null`: a DM's, shard 0), or queues it for a RESUME where that session is
   * disconnected. Returns where it went: empty when no live session owns the guild.
   */
  async dispatch(t: string, d: unknown, guildId: string | null): Promise<GatewayDelivery[]> {
    if (!this.hasSession) throw new Error('No bot has identified with the fake gateway yet; await discord.waitForReady() first.');
    const targets = [...this.#sessions.values()].filter((s) => s.live && shardReceives(s.shard, guildId));
    const deliveries: GatewayDelivery[] = [];
    for (const session of targets) deliveries.push(await this.#send(session, t, d, guildId));
    return deliveries;
  }

  /** Why nothing received `guildId`'s events: which shard owns it, and which sessions are live. */
  whyUndelivered(guildId: string | null): string {
    const live = [...this.#sessions.values()].filter((s) => s.live);
    const counts = [...new Set(live.map((s) => s.shard[1]))];
    const what = guildId === null ? 'DM events (they go to shard 0)' : `guild ${guildId}'s events`;
    const owner = guildId === null || counts.length === 0 ? '' : ` (it is on ${counts.map((n) => formatShard([shardOf(guildId, n), n])).join(' / ')})`;
    return `no live gateway session receives ${what}${owner}; live sessions: ${live.map((s) => formatShard(s.shard)).join(', ') || 'none'}`;
  }

  /**
   * Resolves once at least `identifies` IDENTIFYs were accepted and every
   * shard of the latest IDENTIFY's `num_shards` (or only `shard`) has a live,
   * connected session that got READY and its GUILD_CREATEs.
   */
  waitForReady(identifies: number, timeoutMs: number, shard?: number): Promise<void> {
    const done = () => this.identifies.length >= identifies && this.#shardsReady(shard);
    if (done()) return Promise.resolve();
    return this.#readyWaiters.wait(done, timeoutMs, () => {
      const sessions = [...this.#sessions.values()].map((s) => `${formatShard(s.shard)} ${isOpen(s) && s.ready ? 'ready' : s.live ? 'disconnected' : 'ended'}`);
      return (
        `The bot did not reach READY (${identifies} IDENTIFY${shard === undefined ? '' : `, shard ${shard}`}) within ${timeoutMs} ms; ` +
        `${this.identifies.length} so far; sessions: ${sessions.join(', ') || 'none'}.`
      );
    });
  }

  /** Cuts a connection: without a code the socket just dies (1006), as on a network failure. */
  drop(code: number | undefined, shard: number | undefined): void {
    const session = this.#connectedSession(shard, 'drop');
    const socket = session.socket as WebSocket;
    session.socket = null;
    if (code === undefined) socket.terminate();
    else socket.close(code, 'Dropped by the fake');
  }

  /** Op 9: with `resumable` false the session is gone and the bot must IDENTIFY again. */
  invalidateSession(resumable: boolean, shard: number | undefined): void {
    const session = this.#connectedSession(shard, 'invalidate');
    if (!resumable) session.live = false;
    session.socket?.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: resumable, s: null, t: null }));
  }

  /** Op 7: the bot should reconnect and RESUME. */
  requestReconnect(shard: number | undefined): void {
    this.#connectedSession(shard, 'ask to reconnect').socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null, s: null, t: null }));
  }

  close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #shardsReady(shard: number | undefined): boolean {
    const sessions = [...this.#sessions.values()];
    const latest = sessions[sessions.length - 1];
    if (!latest) return false;
    const numShards = latest.shard[1];
    const wanted = shard === undefined ? Array.from({ length: numShards }, (_, i) => i) : [shard];
    return wanted.every((id) => sessions.some((s) => s.live && s.ready && isOpen(s) && s.shard[0] === id && s.shard[1] === numShards));
  }

  /** The one connected session, or the connected one on `shard`. */
  #connectedSession(shard: number | undefined, what: string): Session {
    const open = [...this.#sessions.values()].filter((s) => isOpen(s) && (shard === undefined || s.shard[0] === shard));
    if (open.length === 0) throw new Error(`No gateway connection${shard === undefined ? '' : ` on shard ${shard}`} to ${what}`);
    if (open.length > 1) {
      const which = open.map((s) => formatShard(s.shard)).join(', ');
      throw new Error(`Several gateway connections (${which}); say which shard to ${what}: { shard: n }`);
    }
    return open[0] as Session;
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    if (query.get('v') !== '10') return ws.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
    if ((query.get('encoding') ?? 'json') !== 'json') return ws.close(GatewayCloseCodes.DecodeError, 'The fake speaks JSON only');
    const connection: { session: Session | null } = { session: null };
    ws.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null }));
    ws.on('message', (data) => void this.#onMessage(ws, connection, data.toString()));
    ws.on('close', (code) => {
      const session = connection.session;
      if (session?.socket !== ws) return;
      session.socket = null;
      // Discord: closing with 1000 or 1001 invalidates the session; any other code leaves it resumable.
      if (code === 1000 || code === 1001) session.live = false;
    });
  }

  async #onMessage(ws: WebSocket, connection: { session: Session | null }, text: string): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a gateway frame's data, shaped by its op
    let payload: { op: number; d: any };
    try {
      payload = JSON.parse(text);
    } catch {
      return ws.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload');
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        return ws.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null }));
      case GatewayOpcodes.Identify:
        return this.#identify(ws, connection, payload.d ?? {});
      case GatewayOpcodes.Resume:
        return this.#resume(ws, connection, payload.d ?? {});
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
        if (!connection.session) ws.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated');
        return;
      default:
        return ws.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode');
    }
  }

  async #identify(ws: WebSocket, connection: { session: Session | null }, d: Record<string, unknown>): Promise<void> {
    if (connection.session) return ws.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
    if (d['token'] !== this.options.token) return ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed');
    const parsed = parseShard(d['shard']);
    if (parsed !== null && 'invalid' in parsed) return this.#refuse(ws, d['shard'], GatewayCloseCodes.InvalidShard, parsed.invalid);
    const shard: ShardTuple = parsed ?? [0, 1];
    const guildIds = this.options.guildIds().filter((id) => shardReceives(shard, id));
    const { maxGuildsPerShard, maxConcurrency } = this.options.limits;
    if (guildIds.length > maxGuildsPerShard) {
      const as = parsed ? formatShard(shard) : 'an unsharded session';
      const reason = `${as} would receive ${guildIds.length} guilds; a shard may hold ${maxGuildsPerShard}: identify with more shards`;
      return this.#refuse(ws, d['shard'], GatewayCloseCodes.ShardingRequired, reason);
    }
    const bucket = shard[0] % maxConcurrency;
    const now = this.options.now();
    const last = this.#lastIdentify.get(bucket);
    if (this.options.enforceIdentifyRateLimit && last !== undefined && now - last < IDENTIFY_WINDOW_MS) {
      const reason = `identify rate limit: bucket ${bucket} (shard_id % max_concurrency ${maxConcurrency}) identified ${now - last} ms ago; one per 5 s`;
      this.refusals.push({ at: now, shard: d['shard'], refusal: 'invalid-session', reason });
      ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null }));
      return;
    }
    this.#lastIdentify.set(bucket, now);

    const session: Session = {
      id: randomBytes(16).toString('hex'),
      shard,
      sharded: parsed !== null,
      seq: 0,
      backlog: [],
      socket: ws,
      live: true,
      ready: false,
      resumes: 0,
    };
    this.#sessions.set(session.id, session);
    connection.session = session;
    const { token: _token, ...rest } = d;
    this.identifies.push(rest);
    this.#checkLayout(session, 'IDENTIFY');
    await this.#send(session, 'READY', this.options.ready(session.id, parsed, guildIds), null);
    for (const id of guildIds) await this.#send(session, 'GUILD_CREATE', this.options.guildCreate(id), id);
    session.ready = true;
    this.#readyWaiters.offer();
  }

  async #resume(ws: WebSocket, connection: { session: Session | null }, d: Record<string, unknown>): Promise<void> {
    const session = this.#sessions.get(String(d['session_id']));
    if (!session?.live || d['token'] !== this.options.token) {
      ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null }));
      return;
    }
    session.socket?.terminate();
    session.socket = ws;
    connection.session = session;
    const after = Number(d['seq'] ?? 0);
    for (const frame of session.backlog.filter((f) => f.s > after)) ws.send(JSON.stringify(frame));
    this.resumeCount++;
    session.resumes++;
    this.#checkLayout(session, 'RESUME');
    await this.#send(session, 'RESUMED', null, null);
    this.#readyWaiters.offer();
  }

  #refuse(ws: WebSocket, shard: unknown, code: GatewayCloseCodes.InvalidShard | GatewayCloseCodes.ShardingRequired, reason: string): void {
    this.refusals.push({ at: this.options.now(), shard, refusal: code, reason });
    const name = code === GatewayCloseCodes.InvalidShard ? 'Invalid shard' : 'Sharding required';
    this.options.violation({ kind: 'gateway-refused', method: 'GATEWAY', path: 'IDENTIFY', message: `closed with ${code} ${name}: ${reason}` });
    ws.close(code, name);
  }

  /** Discord accepts overlapping layouts; the fake flags them, since they lose or double a bot's events. */
  #checkLayout(session: Session, op: 'IDENTIFY' | 'RESUME'): void {
    for (const other of this.#sessions.values()) {
      if (other === session || !other.live || !isOpen(other)) continue;
      const [id, n] = session.shard;
      let message: string | null = null;
      if (other.shard[1] !== n) {
        message =
          `${formatShard(session.shard)} connected while ${formatShard(other.shard)} is: each session routes guilds by its own num_shards, ` +
          'so events are doubled or lost (Discord allows it to hand over to a new shard count; a running bot must not stay so)';
      } else if (other.shard[0] === id) {
        message = `two connected sessions on ${formatShard(session.shard)}: both receive its guilds' events, so every interaction is delivered twice`;
      }
      if (message) this.options.violation({ kind: 'shard-layout', method: 'GATEWAY', path: op, message });
    }
  }

  #send(session: Session, t: string, d: unknown, guildId: string | null): Promise<GatewayDelivery> {
    const frame: DispatchFrame = { op: GatewayOpcodes.Dispatch, s: ++session.seq, t, d };
    session.backlog.push(frame);
    if (session.backlog.length > BACKLOG_LIMIT) session.backlog.shift();
    const socket = session.socket;
    const delivery: GatewayDelivery = { sessionId: session.id, shard: [...session.shard], queued: socket?.readyState !== WebSocket.OPEN };
    this.dispatches.push({ ...delivery, s: frame.s, t, guildId, d });
    if (!socket || delivery.queued) return Promise.resolve(delivery);
    return new Promise((resolve) => socket.send(JSON.stringify(frame), () => resolve(delivery)));
  }
}

function isOpen(session: Session): boolean {
  return session.socket?.readyState === WebSocket.OPEN;
}
