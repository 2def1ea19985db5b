import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Discord's published OpenAPI description: a copy committed beside this file
 * (`openapi/discord-openapi.json`, with Discord's MIT licence and a note on
 * its upstream version); `DISCORD_OPENAPI_PATH` overrides.
 */
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: unknown;
}

export interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  security?: Array<Record<string, unknown>>;
}

export type OpenApiPathItem = { parameters?: OpenApiParameter[] } & Partial<Record<HttpMethod, OpenApiOperation>>;

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, OpenApiPathItem>;
  components: Record<string, unknown>;
}

const COMMITTED_COPY = fileURLToPath(new URL('./openapi/discord-openapi.json', import.meta.url));

export function openApiPath(): string {
  return process.env['DISCORD_OPENAPI_PATH'] ?? COMMITTED_COPY;
}

export function loadOpenApi(file: string = openApiPath()): OpenApiDocument {
  if (!existsSync(file)) {
    throw new Error(
      `Discord's OpenAPI description is not at ${file}: ` +
        (process.env['DISCORD_OPENAPI_PATH']
          ? 'DISCORD_OPENAPI_PATH names a file that does not exist.'
          : 'the committed copy is missing; restore it with git checkout.'),
    );
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  if (typeof doc.paths !== 'object' || !doc.openapi?.startsWith('3.')) {
    throw new Error(`${file} does not look like an OpenAPI 3 document.`);
  }
  return doc;
}
