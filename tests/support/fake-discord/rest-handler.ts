import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from './clock.js';
import { DiscordError, discordErrors } from './discord-error.js';
import type { FaultPlan } from './faults.js';
import type { OpenApiValidator } from './openapi-validator.js';
import { decodePath } from './path-matcher.js';
import type { Recorder } from './recorder.js';
import { BodyTooLargeError, parseBody, readBody, type ParsedBody } from './request-body.js';
import type { RestReply, RouteTable } from './route-table.js';
import type { Violation, ViolationKind } from './types.js';

/**
 * One REST request, start to finish: read and parse the body, check it
 * against the OpenAPI description, answer a request real Discord would refuse
 * the way Discord would (404, 401, 400 50035), let an injected fault claim it,
 * otherwise run the route's handler; then record it.
 */
export interface RestHandlerDeps {
  validator: OpenApiValidator;
  routes: RouteTable;
  recorder: Recorder;
  faults: FaultPlan;
  clock: Clock;
  token: string;
  maxBodyBytes: number;
}

const PREFIX = '/api/v10';

/** Problems Discord ignores rather than refuses: recorded, then the request is handled. */
const TOLERATED: ReadonlySet<ViolationKind> = new Set(['invalid-query']);

export class RestHandler {
  constructor(private readonly deps: RestHandlerDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { clock, recorder } = this.deps;
    const at = clock.now();
    const receivedAt = performance.now();
    const seq = recorder.nextSeq();
    const method = (req.method ?? 'GET').toUpperCase();
    const versioned = url.pathname.startsWith(`${PREFIX}/`);
    const path = decodePath(versioned ? url.pathname.slice(PREFIX.length) : url.pathname);
    const violations: Violation[] = [];
    const flag = (kind: ViolationKind, message: string) => violations.push({ kind, method, path, message });

    let body: ParsedBody = { kind: 'none' };
    let reply: RestReply | undefined;
    try {
      body = await parseBody(await readBody(req, this.deps.maxBodyBytes), req.headers['content-type']);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      flag('discord-rule', error.message);
      reply = { ...errorReply(discordErrors.entityTooLarge()), headers: { connection: 'close' } };
    }

    const check = this.deps.validator.check({ method, path, query: url.searchParams, authorization: req.headers.authorization, body }, this.deps.token);
    if (!versioned) flag('undocumented-route', `discord.js talks to ${PREFIX}; this request went to ${url.pathname}`);
    for (const problem of check.problems) if (!(reply && problem.kind === 'invalid-body')) flag(problem.kind, problem.message);
    reply ??= refusal(violations.filter((v) => !TOLERATED.has(v.kind)));
    const fault = reply ? null : this.deps.faults.take({ method, path, route: check.route, operationId: check.operationId }, at);
    if (fault && !fault.landed) reply = fault.reply;

    const json = body.kind === 'json' || body.kind === 'multipart' ? body.json : undefined;
    const files = body.kind === 'multipart' ? body.files : [];
    if (!reply) {
      const handler = check.route ? this.deps.routes.get(method, check.route) : undefined;
      if (!handler || !check.route) {
        flag(
          'unimplemented-route',
          `the fake has no handler for ${method} ${check.route} (${check.operationId}); add one in tests/support/fake-discord/routes`,
        );
        reply = errorReply(discordErrors.notFound());
      } else {
        reply = await runHandler(
          () => handler({ method, path, route: check.route as string, params: check.params, query: url.searchParams, json: json ?? {}, files, receivedAt, at }),
          flag,
        );
      }
      if (fault?.landed) reply = fault.reply;
    }

    const headers: Record<string, string> = { ...reply.headers };
    if (reply.json !== undefined) headers['content-type'] = 'application/json';
    res.writeHead(reply.status, headers);
    res.end(reply.json === undefined ? undefined : JSON.stringify(reply.json));

    const { authorization: _authorization, ...kept } = req.headers;
    recorder.record({
      seq,
      method,
      path,
      route: check.route,
      operationId: check.operationId,
      params: check.params,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(kept).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      ...(json !== undefined ? { json } : {}),
      files,
      status: reply.status,
      ...(reply.json !== undefined ? { response: reply.json } : {}),
      violations,
      at,
    });
  }
}

/** How Discord answers the first problem it would refuse, or undefined when there is none. */
function refusal(problems: Violation[]): RestReply | undefined {
  const first = problems[0];
  if (!first) return undefined;
  switch (first.kind) {
    case 'undocumented-route':
      return errorReply(discordErrors.notFound());
    case 'unauthorized':
      return errorReply(discordErrors.unauthorized());
    default:
      return errorReply(
        new DiscordError(400, 50035, 'Invalid Form Body', { _errors: problems.map((p) => ({ code: 'FAKE_DISCORD_SCHEMA', message: p.message })) }),
      );
  }
}

async function runHandler(run: () => RestReply | Promise<RestReply>, flag: (kind: ViolationKind, message: string) => void): Promise<RestReply> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DiscordError) {
      if (error.violation) flag(error.violation, `${error.code} ${error.message}${error.errors ? ` ${JSON.stringify(error.errors)}` : ''}`);
      return errorReply(error);
    }
    flag('fake-error', `the fake failed: ${(error as Error).stack ?? String(error)}`);
    return { status: 500, json: { message: '500: Internal Server Error', code: 0 } };
  }
}

function errorReply(error: DiscordError): RestReply {
  return { status: error.status, json: error.body() };
}
