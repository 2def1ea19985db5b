import type { IncomingMessage } from 'node:http';
import type { RecordedFile } from './types.js';

/** A request body as the validator and the routes see it. */
export type ParsedBody =
  | { kind: 'none' }
  | { kind: 'json'; json: unknown }
  | { kind: 'multipart'; json: Record<string, unknown>; files: RecordedFile[] }
  | { kind: 'unparseable'; contentType: string; reason: string };

export class BodyTooLargeError extends Error {}

/** Reads the whole body, refusing more than `maxBytes` (the socket is then left to be closed). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new BodyTooLargeError(`request body over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * JSON bodies are parsed as is. Multipart bodies (what discord.js sends with
 * files) become the parsed `payload_json` merged with any other text fields,
 * plus the file parts.
 */
export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { kind: 'none' };
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    try {
      return { kind: 'json', json: JSON.parse(raw.toString('utf8')) };
    } catch (error) {
      return { kind: 'unparseable', contentType: type, reason: `invalid JSON: ${(error as Error).message}` };
    }
  }
  if (type === 'multipart/form-data') return parseMultipart(raw, contentType as string);
  return { kind: 'unparseable', contentType: type || '(none)', reason: 'Discord accepts JSON or multipart/form-data bodies' };
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    return { kind: 'unparseable', contentType: 'multipart/form-data', reason: `malformed multipart body: ${(error as Error).message}` };
  }
  const json: Record<string, unknown> = {};
  const files: RecordedFile[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') {
      files.push({ name, filename: value.name, contentType: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
    } else if (name === 'payload_json') {
      try {
        Object.assign(json, JSON.parse(value));
      } catch (error) {
        return { kind: 'unparseable', contentType: 'multipart/form-data', reason: `payload_json is not JSON: ${(error as Error).message}` };
      }
    } else {
      json[name] = value;
    }
  }
  return { kind: 'multipart', json, files };
}
