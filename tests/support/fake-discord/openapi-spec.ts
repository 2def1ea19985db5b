import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * Discord's published OpenAPI description. It is not copied into the
 * repository: CI clones the repository next to `shared/`, so the file is at
 * `<repo>/../shared/discord-openapi.json`; `DISCORD_OPENAPI_PATH` overrides.
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

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function openApiPath(): string {
  return process.env['DISCORD_OPENAPI_PATH'] ?? path.resolve(repoRoot, '..', 'shared', 'discord-openapi.json');
}

export function loadOpenApi(file: string = openApiPath()): OpenApiDocument {
  if (!existsSync(file)) {
    throw new Error(
      `Discord's OpenAPI description is not at ${file}. Clone the repository next to shared/ ` +
        '(as CI does) or set DISCORD_OPENAPI_PATH to discord-openapi.json.',
    );
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  if (typeof doc.paths !== 'object' || !doc.openapi?.startsWith('3.')) {
    throw new Error(`${file} does not look like an OpenAPI 3 document.`);
  }
  return doc;
}
