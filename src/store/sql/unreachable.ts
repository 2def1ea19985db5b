/**
 * A PostgreSQL server that is briefly away — restarted, failed over, a network blip — must cost a moment, not a
 * member's command or a finished clip. Work that certainly did not take effect (no connection was made, or the
 * transaction broke before its COMMIT was sent, so the server rolled it back) is tried again, with backoff, for up
 * to a budget; past it the caller gets DatabaseUnreachableError, which the bot turns into a sentence.
 *
 * Pure decisions (which errors mean "unreachable", the backoff) live here; PostgresDatabase and the job files use them.
 */

/** How long work waits for the database to come back before it fails with DatabaseUnreachableError. */
export const DEFAULT_UNREACHABLE_RETRY_MS = 30_000;

/** Node's socket errors that mean the server was not there (or went away). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** SQLSTATEs of a server shutting down or starting up (class 57P) and connection exceptions (class 08). */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '57P05']);
/** node-postgres's own words for a connection that ended under it. */
const ENDED = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect/i;

/** Whether `e` (or an error it wraps, via `cause`) says the database could not be reached or the connection dropped. */
export function isConnectionFailure(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur !== null && cur !== undefined && depth < 5; depth++) {
    if (typeof cur !== 'object') return false;
    const { code, message, cause } = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && ENDED.test(message)) return true;
    // AggregateError (a host name that resolves to several addresses, each refused).
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0 && errors.every((x) => isConnectionFailure(x))) return true;
    cur = cause;
  }
  return false;
}

/** The database stayed unreachable for longer than work waits; nothing of the work took effect. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
  constructor(
    readonly waitedMs: number,
    options: { cause: unknown },
  ) {
    super(`The database could not be reached for ${Math.round(waitedMs / 1000)} s: ${describe(options.cause)}`, options);
  }
}

/** The wait before the nth retry (1-based): 200 ms doubling to 2 s. */
export function retryDelayMs(retry: number): number {
  return Math.min(2000, 200 * 2 ** Math.max(0, retry - 1));
}

export interface RetryOptions {
  /** Total time to keep trying; 0 tries once. */
  readonly budgetMs: number;
  /** Whether this failure may be retried (the work certainly did not take effect). */
  readonly retryable: (e: unknown) => boolean;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `fn` until it succeeds, fails with an error that is not retryable (thrown as is), or the budget is spent
 * (DatabaseUnreachableError, its cause the last failure).
 */
export async function whileUnreachable<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = now();
  for (let retry = 1; ; retry++) {
    try {
      return await fn();
    } catch (e) {
      if (!options.retryable(e)) throw e;
      const waited = now() - start;
      const delay = retryDelayMs(retry);
      if (waited + delay > options.budgetMs) throw new DatabaseUnreachableError(waited, { cause: e });
      await sleep(delay);
    }
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
