import type { ViolationKind } from './types.js';

/**
 * An error the fake answers with, in Discord's shape: `{ code, message, errors? }`
 * plus the HTTP status. Route handlers throw these; the REST handler turns them
 * into responses. Codes and messages are the ones Discord documents.
 * `violation` marks an error that is the bot's fault in a way tests should
 * fail on (see `Violation`), not merely a state the bot must handle.
 */
export class DiscordError extends Error {
  override readonly name = 'DiscordError';
  violation: ViolationKind | undefined;

  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** Marks this error as a violation of `kind`, recorded for `assertNoViolations`. */
  as(kind: ViolationKind): this {
    this.violation = kind;
    return this;
  }

  body(): Record<string, unknown> {
    return this.errors ? { message: this.message, code: this.code, errors: this.errors } : { message: this.message, code: this.code };
  }
}

export const discordErrors = {
  unauthorized: () => new DiscordError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordError(404, 0, '404: Not Found'),
  unknownApplication: () => new DiscordError(404, 10002, 'Unknown Application'),
  unknownChannel: () => new DiscordError(404, 10003, 'Unknown Channel'),
  unknownMessage: () => new DiscordError(404, 10008, 'Unknown Message'),
  unknownUser: () => new DiscordError(404, 10013, 'Unknown User'),
  unknownWebhook: () => new DiscordError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordError(404, 10062, 'Unknown interaction'),
  entityTooLarge: () => new DiscordError(413, 40005, 'Request entity too large'),
  alreadyAcknowledged: () => new DiscordError(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: () => new DiscordError(403, 50001, 'Missing Access'),
  cannotEditOthersMessage: () => new DiscordError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new DiscordError(400, 50006, 'Cannot send an empty message'),
  cannotMessageUser: () => new DiscordError(403, 50007, 'Cannot send messages to this user'),
  missingPermissions: () => new DiscordError(403, 50013, 'Missing Permissions'),
  invalidWebhookToken: () => new DiscordError(401, 50027, 'Invalid Webhook Token'),
  /** 50035 with Discord's nested `errors` object for one field, e.g. `content` or `attachments.0.id`. */
  invalidFormBody: (field: string, code: string, message: string) =>
    new DiscordError(400, 50035, 'Invalid Form Body', nestError(field.split('.'), { _errors: [{ code, message }] })),
} as const;

function nestError(path: string[], leaf: Record<string, unknown>): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return leaf;
  return { [head]: nestError(rest, leaf) };
}
