import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeAttachment } from './fake-attachment.js';

/** What the CDN can do wrong when serving one attachment, to test the bot's downloader. */
export type CdnFault =
  /** Answer with this status and no file (404, 403, 500…). */
  | { kind: 'status'; status: number }
  /** Redirect elsewhere, e.g. to a host the bot must not follow. */
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
  /**
   * Declare `declared` in Content-Length but write every byte of the file, then
   * close the connection. HTTP clients read only `declared` bytes, so a smaller
   * value hands the bot a truncated file and a larger one a connection that ends early.
   */
  | { kind: 'content-length'; declared: number }
  /** No Content-Length at all (chunked), so only counting bytes bounds the download. */
  | { kind: 'chunked' }
  /** Send `chunkBytes` every `intervalMs` (chunked). */
  | { kind: 'drip'; chunkBytes: number; intervalMs: number };

/** Serves one attachment, honouring its fault. `status` is the one already recorded for the request. */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: FakeAttachment, status: number): void {
  const fault = file.fault;
  const head = req.method === 'HEAD';
  const type = { 'content-type': file.contentType };
  switch (fault?.kind) {
    case 'status':
      res.writeHead(status, { 'content-type': 'text/plain' }).end(head ? undefined : `status ${status}`);
      return;
    case 'redirect':
      res.writeHead(status, { location: fault.location }).end();
      return;
    case 'content-length': {
      // Node's ServerResponse keeps to its Content-Length, so the lie is written straight to the socket.
      const socket = req.socket;
      // The client may hang up after the declared bytes; the rest then has nowhere to go.
      socket.on('error', () => undefined);
      if (socket.destroyed) return;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${file.contentType}\r\nContent-Length: ${fault.declared}\r\nConnection: close\r\n\r\n`);
      if (head) socket.end();
      else socket.end(file.data);
      return;
    }
    case 'chunked':
      res.writeHead(200, type);
      res.end(head ? undefined : file.data);
      return;
    case 'drip':
      res.writeHead(200, type);
      if (head) res.end();
      else drip(res, file.data, fault.chunkBytes, fault.intervalMs);
      return;
    case undefined:
      res.writeHead(200, { ...type, 'content-length': file.data.length });
      res.end(head ? undefined : file.data);
  }
}

function drip(res: ServerResponse, data: Buffer, chunkBytes: number, intervalMs: number): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    res.write(data.subarray(offset, offset + chunkBytes));
    offset += chunkBytes;
    if (offset >= data.length) {
      clearInterval(timer);
      res.end();
    }
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}
