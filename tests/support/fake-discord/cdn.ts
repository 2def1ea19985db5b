import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from './clock.js';
import { sendFile } from './cdn-response.js';
import { FakeAttachment, type AttachmentInit } from './fake-attachment.js';
import type { Snowflakes } from './snowflake.js';

/**
 * The fake's attachment CDN: files tests register for slash-command options
 * and files the bot uploads, served at `/cdn/attachments/:channel/:id/:filename`
 * (and `/media/...` for `proxy_url`). URLs carry Discord's signed-URL query
 * (`ex`, `is`, `hm`), which the CDN ignores. Each attachment can be given a
 * fault to test the bot's downloader.
 */
export interface CdnRequest {
  method: string;
  path: string;
  attachmentId: string | null;
  status: number;
  at: number;
}

export interface CdnUrls {
  /** What `url` starts with, e.g. `http://127.0.0.1:PORT/cdn` or `https://cdn.discordapp.com`. */
  cdnBase: string;
  /** What `proxy_url` starts with. */
  mediaBase: string;
  /** Where this server really is: `http://127.0.0.1:PORT`. */
  origin: string;
}

const PATH = /^\/(cdn|media)\/attachments\/(\d+)\/(\d+)\/([^/]+)$/;

export class Cdn {
  readonly requests: CdnRequest[] = [];
  readonly #files = new Map<string, FakeAttachment>();

  constructor(
    private readonly urls: CdnUrls,
    private readonly ids: Snowflakes,
    private readonly clock: Clock,
  ) {}

  add(init: AttachmentInit & { channelId: string }): FakeAttachment {
    const id = this.ids.next();
    const name = encodeURIComponent(init.filename);
    const suffix = `/attachments/${init.channelId}/${id}/${name}?${this.#signature(id)}`;
    const attachment = new FakeAttachment(
      id,
      init.channelId,
      init.filename,
      init.contentType ?? 'application/octet-stream',
      init.data,
      `${this.urls.cdnBase}${suffix}`,
      `${this.urls.mediaBase}${suffix}`,
      init,
    );
    this.#files.set(id, attachment);
    return attachment;
  }

  get(id: string): FakeAttachment | undefined {
    return this.#files.get(id);
  }

  /** Maps a URL the fake handed out (whatever CDN host it names) to this server, or returns it unchanged. */
  localUrl(url: string): string {
    if (url.startsWith(`${this.urls.cdnBase}/`)) return `${this.urls.origin}/cdn${url.slice(this.urls.cdnBase.length)}`;
    if (url.startsWith(`${this.urls.mediaBase}/`)) return `${this.urls.origin}/media${url.slice(this.urls.mediaBase.length)}`;
    return url;
  }

  /** Serves a CDN path; false when `pathname` is not one. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const m = PATH.exec(pathname);
    if (!m) return false;
    const attachment = this.#files.get(m[3] as string);
    const known = attachment && attachment.channelId === m[2] && encodeURIComponent(attachment.filename) === m[4];
    const record = (status: number) =>
      this.requests.push({ method: req.method ?? 'GET', path: pathname, attachmentId: attachment?.id ?? null, status, at: this.clock.now() });
    if (!known || (req.method !== 'GET' && req.method !== 'HEAD')) {
      record(known ? 405 : 404);
      res.writeHead(known ? 405 : 404, { 'content-type': 'text/plain' }).end(known ? 'Method Not Allowed' : 'Not Found');
      return true;
    }
    const status =
      attachment.fault?.kind === 'status' ? attachment.fault.status : attachment.fault?.kind === 'redirect' ? (attachment.fault.status ?? 302) : 200;
    record(status);
    sendFile(req, res, attachment, status);
    return true;
  }

  #signature(id: string): string {
    const issued = Math.floor(this.clock.now() / 1000);
    const hex = (n: number) => n.toString(16);
    const hm = createHash('sha256').update(`${id}:${issued}`).digest('hex');
    return `ex=${hex(issued + 86_400)}&is=${hex(issued)}&hm=${hm}&`;
  }
}
