/** Shapes shared by the fake's parts and its tests. */

/** One file part of a multipart request, as the bot uploaded it. */
export interface RecordedFile {
  /** The form field name, e.g. `files[0]`. */
  name: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export type ViolationKind =
  /** No path template in the OpenAPI description fits, or the template has no such method. */
  | 'undocumented-route'
  /** Documented, but the fake has no handler: extend the fake rather than the bot. */
  | 'unimplemented-route'
  | 'invalid-path-param'
  | 'invalid-query'
  | 'invalid-body'
  /** `attachments[].id` names neither a `files[id]` part nor an attachment the message already has. */
  | 'missing-file-part'
  /** A route that needs `Authorization: Bot <token>` came without it, or with another token. */
  | 'unauthorized'
  /** Valid per the description but refused by real Discord (e.g. bot message content over 2000 characters). */
  | 'discord-rule'
  /** The fake itself threw: a bug in tests/support/fake-discord, reported so the test cannot pass by accident. */
  | 'fake-error'
  /** The gateway refused an IDENTIFY: 4010 Invalid shard or 4011 Sharding required (method `GATEWAY`, path `IDENTIFY`). */
  | 'gateway-refused'
  /**
   * Sessions Discord accepts but whose layout loses or doubles events: two connected sessions with different
   * `num_shards`, or two on the same shard (method `GATEWAY`, path `IDENTIFY` or `RESUME`).
   */
  | 'shard-layout';

export interface Violation {
  kind: ViolationKind;
  method: string;
  path: string;
  message: string;
}

export interface RecordedRequest {
  /** 1, 2, 3… in arrival order (`requests` lists them in the order they were answered). */
  seq: number;
  method: string;
  /** Decoded path after `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  /** The OpenAPI path template, or null when undocumented. */
  route: string | null;
  operationId: string | null;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Lower-case header names; `authorization` is never kept. */
  headers: Record<string, string>;
  /** The JSON body, or a multipart request's parsed `payload_json`. */
  json?: unknown;
  files: RecordedFile[];
  status: number;
  /** The JSON the fake answered with, if any. */
  response?: unknown;
  violations: Violation[];
  /** Fake-clock milliseconds when the request arrived. */
  at: number;
}

export function formatViolation(v: Violation): string {
  return `[${v.kind}] ${v.method} ${v.path}: ${v.message}`;
}
