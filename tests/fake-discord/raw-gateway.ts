import { GatewayOpcodes } from 'discord.js';
import { WebSocket } from 'ws';
import type { FakeDiscord } from '../support/fake-discord/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a gateway frame's data, shaped by its op
export type RawFrame = { op: number; t?: string; d: any; s?: number };

/** A raw gateway client: the frames it got, in order, and the close code once closed. */
export async function rawGateway(discord: FakeDiscord) {
  const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
  const frames: RawFrame[] = [];
  const waiting: Array<() => void> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    waiting.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const next = async (match: (f: RawFrame) => boolean) => {
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  await new Promise((resolve) => ws.once('open', resolve));
  const send = (payload: unknown) => ws.send(JSON.stringify(payload));
  /** IDENTIFY with the fake's token and, when given, `shard`. */
  const identify = (shard?: unknown) =>
    send({ op: GatewayOpcodes.Identify, d: { token: discord.token, intents: 1, properties: { os: 'linux', browser: 'test', device: 'test' }, shard } });
  return { ws, frames, next, closed, send, identify };
}
