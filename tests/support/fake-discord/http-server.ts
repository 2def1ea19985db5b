import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The one local server behind the fake: REST under `/api`, the CDN under
 * `/cdn` and `/media`, the gateway WebSocket at `/gateway`. It listens on
 * 127.0.0.1 and a free port, so several fakes can run side by side and a bot
 * in another process reaches it by URL alone.
 */
export interface HttpRoutes {
  rest: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  cdn: (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export const GATEWAY_PATH = '/gateway';

export async function listen(routes: HttpRoutes): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      routes.rest(req, res, url).catch((error: unknown) => {
        console.error('fake Discord: REST handler crashed', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: '500: Internal Server Error', code: 0 }));
      });
      return;
    }
    if (routes.cdn(req, res, url.pathname)) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === GATEWAY_PATH) routes.upgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function shutdown(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
