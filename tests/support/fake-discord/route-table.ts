import type { RecordedFile } from './types.js';

/** A REST request as route handlers see it: already matched, validated and parsed. */
export interface RestRequest {
  method: string;
  path: string;
  /** The OpenAPI path template, e.g. `/channels/{channel_id}/messages`. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body or the multipart `payload_json`; `{}` when there is none. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any JSON body, already validated against Discord's OpenAPI schema
  json: any;
  files: RecordedFile[];
  /** performance.now() when the request arrived, before the fake did any work on it. */
  receivedAt: number;
  /** Fake-clock ms when the request arrived. */
  at: number;
}

export interface RestReply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: RestRequest) => RestReply | Promise<RestReply>;

/** Handlers keyed by method and OpenAPI path template, so routing and validation agree on what a path is. */
export class RouteTable {
  readonly #handlers = new Map<string, RouteHandler>();

  on(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', template: string, handler: RouteHandler): this {
    this.#handlers.set(`${method} ${template}`, handler);
    return this;
  }

  get(method: string, template: string): RouteHandler | undefined {
    return this.#handlers.get(`${method.toUpperCase()} ${template}`);
  }
}

export const json = (status: number, body: unknown): RestReply => ({ status, json: body });
export const noContent = (): RestReply => ({ status: 204 });
