import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { loadOpenApi, openApiPath, type HttpMethod, type OpenApiDocument, type OpenApiOperation, type OpenApiParameter } from './openapi-spec.js';
import { PathMatcher } from './path-matcher.js';
import type { ParsedBody } from './request-body.js';
import type { ViolationKind } from './types.js';

/**
 * Checks one REST request against Discord's OpenAPI description: the path
 * template and method, path and query parameters, the bot token where the
 * operation requires it, and the JSON body (or a multipart request's
 * `payload_json`, with each file part as a placeholder string) with Ajv's
 * 2020-12 draft. The whole document is registered once so `$ref`s resolve;
 * validators compile on first use and are cached per JSON pointer.
 *
 * The schemas allow properties they do not declare (discord.js sends `tts` and
 * `enforce_nonce` to webhooks); that is Discord's description, not tightened here.
 */
export interface RequestUnderCheck {
  method: string;
  /** Decoded path after `/api/v10`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: ParsedBody;
}

export interface CheckResult {
  route: string | null;
  operationId: string | null;
  params: Record<string, string>;
  problems: Array<{ kind: ViolationKind; message: string }>;
}

const DOC_ID = 'discord-openapi';
const FILE_PLACEHOLDER = '<binary file part>';

export class OpenApiValidator {
  static readonly #loaded = new Map<string, OpenApiValidator>();

  readonly #doc: OpenApiDocument;
  readonly #matcher: PathMatcher;
  readonly #ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  readonly #compiled = new Map<string, ValidateFunction>();

  private constructor(doc: OpenApiDocument) {
    this.#doc = doc;
    this.#matcher = new PathMatcher(Object.keys(doc.paths));
    this.#ajv.addSchema(doc as object, DOC_ID);
  }

  /** One validator per description file and process: loading and compiling are the slow parts. */
  static forFile(file: string = openApiPath()): OpenApiValidator {
    let validator = OpenApiValidator.#loaded.get(file);
    if (!validator) {
      validator = new OpenApiValidator(loadOpenApi(file));
      OpenApiValidator.#loaded.set(file, validator);
    }
    return validator;
  }

  /** The route template and operation for a request, without checking anything else. */
  match(method: string, path: string): { route: string; params: Record<string, string>; operation?: OpenApiOperation } | null {
    const found = this.#matcher.match(path);
    if (!found) return null;
    const operation = this.#doc.paths[found.template]?.[method.toLowerCase() as HttpMethod];
    return operation ? { route: found.template, params: found.params, operation } : { route: found.template, params: found.params };
  }

  check(req: RequestUnderCheck, botToken: string): CheckResult {
    const method = req.method.toLowerCase() as HttpMethod;
    const found = this.match(method, req.path);
    if (!found) {
      return { route: null, operationId: null, params: {}, problems: [{ kind: 'undocumented-route', message: 'no path in the OpenAPI description matches' }] };
    }
    const { route, params, operation } = found;
    if (!operation) {
      return { route, operationId: null, params, problems: [{ kind: 'undocumented-route', message: `${route} has no ${req.method.toUpperCase()} operation` }] };
    }
    const pathItem = this.#doc.paths[route];
    const declared = [
      ...(pathItem?.parameters ?? []).map((p, i) => ({ p, pointer: `/paths/${escape(route)}/parameters/${i}/schema` })),
      ...(operation.parameters ?? []).map((p, i) => ({ p, pointer: `/paths/${escape(route)}/${method}/parameters/${i}/schema` })),
    ];
    const problems = [
      ...this.#checkPathParams(params, declared),
      ...this.#checkQuery(req.query, declared),
      ...checkAuthorization(operation, req.authorization, botToken),
      ...this.#checkBody(operation, req.body, `/paths/${escape(route)}/${method}/requestBody/content`),
    ];
    return { route, operationId: operation.operationId ?? null, params, problems };
  }

  /**
   * Whether a JSON response fits what the description promises for that
   * status; the fake's own self-tests use it to keep its answers realistic.
   * Returns the problems, empty when it fits or nothing is promised.
   */
  checkResponse(method: string, route: string, status: number, body: unknown): string[] {
    const operation = this.#doc.paths[route]?.[method.toLowerCase() as HttpMethod] as
      { responses?: Record<string, { content?: Record<string, unknown> }> } | undefined;
    if (!operation?.responses?.[String(status)]?.content?.['application/json']) return [];
    const validate = this.#validator(`/paths/${escape(route)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`);
    return validate(body) ? [] : [describeErrors(validate.errors)];
  }

  #checkPathParams(params: Record<string, string>, declared: Array<{ p: OpenApiParameter; pointer: string }>): CheckResult['problems'] {
    const problems: CheckResult['problems'] = [];
    for (const { p, pointer } of declared) {
      if (p.in !== 'path' || p.schema === undefined) continue;
      const value = params[p.name];
      if (value !== undefined && !this.#validator(pointer)(value)) {
        problems.push({ kind: 'invalid-path-param', message: `${p.name}=${JSON.stringify(value)}: ${describeErrors(this.#validator(pointer).errors)}` });
      }
    }
    return problems;
  }

  #checkQuery(query: URLSearchParams, declared: Array<{ p: OpenApiParameter; pointer: string }>): CheckResult['problems'] {
    const problems: CheckResult['problems'] = [];
    const queryParams = declared.filter(({ p }) => p.in === 'query');
    for (const [name, value] of query) {
      const param = queryParams.find(({ p }) => p.name === name);
      if (!param) {
        problems.push({ kind: 'invalid-query', message: `query parameter ${name} is not documented` });
      } else if (param.p.schema !== undefined && !queryValueCandidates(value).some((v) => this.#validator(param.pointer)(v))) {
        problems.push({ kind: 'invalid-query', message: `${name}=${value}: ${describeErrors(this.#validator(param.pointer).errors)}` });
      }
    }
    for (const { p } of queryParams) {
      if (p.required && !query.has(p.name)) problems.push({ kind: 'invalid-query', message: `required query parameter ${p.name} is missing` });
    }
    return problems;
  }

  #checkBody(operation: OpenApiOperation, body: ParsedBody, contentPointer: string): CheckResult['problems'] {
    const spec = operation.requestBody;
    if (body.kind === 'none') {
      return spec?.required ? [{ kind: 'invalid-body', message: 'a request body is required' }] : [];
    }
    if (body.kind === 'unparseable') return [{ kind: 'invalid-body', message: body.reason }];
    if (!spec) return [{ kind: 'invalid-body', message: 'this operation takes no request body' }];
    const contentType = body.kind === 'json' ? 'application/json' : 'multipart/form-data';
    if (!spec.content[contentType]) return [{ kind: 'invalid-body', message: `this operation does not accept ${contentType}` }];
    const instance = body.kind === 'json' ? body.json : { ...body.json, ...Object.fromEntries(body.files.map((f) => [f.name, FILE_PLACEHOLDER])) };
    const validate = this.#validator(`${contentPointer}/${escape(contentType)}/schema`);
    return validate(instance) ? [] : [{ kind: 'invalid-body', message: describeErrors(validate.errors) }];
  }

  #validator(pointer: string): ValidateFunction {
    let validate = this.#compiled.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      this.#compiled.set(pointer, validate);
    }
    return validate;
  }
}

/** Security `[{}]`, `[{}, {BotToken: []}]` or none means the token is optional (webhooks, interaction callbacks). */
function checkAuthorization(operation: OpenApiOperation, authorization: string | undefined, botToken: string): CheckResult['problems'] {
  const security = operation.security;
  const optional = security === undefined || security.some((s) => Object.keys(s).length === 0);
  if (authorization === undefined) {
    return optional ? [] : [{ kind: 'unauthorized', message: 'Authorization header missing' }];
  }
  return authorization === `Bot ${botToken}` ? [] : [{ kind: 'unauthorized', message: 'Authorization is not "Bot <the bot token>"' }];
}

/** Query strings are text; a value may stand for a string, a boolean or a number in the schema. */
function queryValueCandidates(value: string): unknown[] {
  const candidates: unknown[] = [value];
  if (value === 'true' || value === 'false') candidates.push(value === 'true');
  if (value.trim() !== '' && Number.isFinite(Number(value))) candidates.push(Number(value));
  return candidates;
}

/** The deepest errors first: for `anyOf` bodies the branch that got furthest is usually the one meant. */
function describeErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors?.length) return 'does not match the schema';
  const lines = [...errors]
    .sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)
    .map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}`);
  return [...new Set(lines)].slice(0, 6).join('; ');
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
