import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayOpcodes, type GatewayGuildCreateDispatchData, type GatewayReadyDispatchData } from 'discord.js';
import { WebSocket, WebSocketServer } from 'ws';
import { Waiters } from './wait.js';

/**
 * The gateway WebSocket: HELLO, IDENTIFY → READY and one GUILD_CREATE per
 * guild, heartbeat ACKs, RESUME → replay of missed events and RESUMED, and
 * dispatches. Sessions outlive their sockets, so a dropped bot can resume and
 * receive what was dispatched meanwhile; a fresh IDENTIFY starts a new session
 * and what the old one missed is lost, as on Discord.
 *
 * Payloads always go out as JSON text frames, whatever compression the client
 * asked for; discord.js reads text frames in every mode.
 */
export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  ready: (sessionId: string, shard: [number, number] | undefined) => GatewayReadyDispatchData;
  guildCreates: () => GatewayGuildCreateDispatchData[];
}

interface DispatchFrame {
  op: GatewayOpcodes.Dispatch;
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  seq: number;
  backlog: DispatchFrame[];
  socket: WebSocket | null;
  live: boolean;
}

/** What the bot sent in IDENTIFY, token removed. */
export type IdentifyRecord = Record<string, unknown>;

const BACKLOG_LIMIT = 5000;

export class GatewayServer {
  readonly identifies: IdentifyRecord[] = [];
  resumeCount = 0;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, Session>();
  readonly #readyWaiters = new Waiters<void>();
  #current: Session | null = null;

  constructor(private readonly options: GatewayOptions) {
    this.#wss.on('connection', (ws, req) => this.#onConnection(ws, req));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  /** True once a bot has identified: dispatches then reach it now or on its RESUME. */
  get hasSession(): boolean {
    return this.#current !== null;
  }

  /** True once a session is identified (or resumed) and its socket is open. */
  get connected(): boolean {
    return this.#current?.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends an event to the current session, or keeps it for a RESUME while that session is disconnected. */
  async dispatch(t: string, d: unknown): Promise<void> {
    const session = this.#current;
    if (!session) throw new Error('No bot has identified with the fake gateway yet; await discord.waitForReady() first.');
    await this.#send(session, t, d);
  }

  waitForReady(identifies: number, timeoutMs: number): Promise<void> {
    const done = () => this.identifies.length >= identifies && this.connected;
    if (done()) return Promise.resolve();
    return this.#readyWaiters.wait(
      done,
      timeoutMs,
      () => `The bot did not reach READY (${identifies} IDENTIFY) within ${timeoutMs} ms; ${this.identifies.length} so far.`,
    );
  }

  /** Cuts the current connection: without a code the socket just dies (1006), as on a network failure. */
  drop(code?: number): void {
    const socket = this.#detach();
    if (!socket) throw new Error('No gateway connection to drop');
    if (code === undefined) socket.terminate();
    else socket.close(code, 'Dropped by the fake');
  }

  /** Op 9: with `resumable` false the session is gone and the bot must IDENTIFY again. */
  invalidateSession(resumable: boolean): void {
    const session = this.#current;
    if (!session?.socket) throw new Error('No gateway connection to invalidate');
    if (!resumable) session.live = false;
    session.socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: resumable, s: null, t: null }));
  }

  /** Op 7: the bot should reconnect and RESUME. */
  requestReconnect(): void {
    this.#current?.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null, s: null, t: null }));
  }

  close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    if (query.get('v') !== '10') return ws.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
    if ((query.get('encoding') ?? 'json') !== 'json') return ws.close(GatewayCloseCodes.DecodeError, 'The fake speaks JSON only');
    const connection: { session: Session | null } = { session: null };
    ws.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null }));
    ws.on('message', (data) => void this.#onMessage(ws, connection, data.toString()));
    ws.on('close', () => {
      if (connection.session?.socket === ws) connection.session.socket = null;
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
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, backlog: [], socket: ws, live: true };
    this.#sessions.set(session.id, session);
    this.#current = session;
    connection.session = session;
    const { token: _token, ...rest } = d;
    this.identifies.push(rest);
    await this.#send(session, 'READY', this.options.ready(session.id, d['shard'] as [number, number] | undefined));
    for (const guild of this.options.guildCreates()) await this.#send(session, 'GUILD_CREATE', guild);
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
    this.#current = session;
    const after = Number(d['seq'] ?? 0);
    for (const frame of session.backlog.filter((f) => f.s > after)) ws.send(JSON.stringify(frame));
    this.resumeCount++;
    await this.#send(session, 'RESUMED', null);
    this.#readyWaiters.offer();
  }

  #send(session: Session, t: string, d: unknown): Promise<void> {
    const frame: DispatchFrame = { op: GatewayOpcodes.Dispatch, s: ++session.seq, t, d };
    session.backlog.push(frame);
    if (session.backlog.length > BACKLOG_LIMIT) session.backlog.shift();
    const socket = session.socket;
    if (socket?.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => socket.send(JSON.stringify(frame), () => resolve()));
  }

  #detach(): WebSocket | null {
    const session = this.#current;
    const socket = session?.socket ?? null;
    if (session) session.socket = null;
    return socket;
  }
}
