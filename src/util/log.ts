/**
 * Structured logs: one JSON object per line (time, level, message, context),
 * to stderr by default. Secrets never reach the output: values registered with
 * `redact` are replaced wherever they appear, context keys that name secrets
 * (token, authorization, password, secret) are masked, and interaction tokens
 * in webhook and callback URL paths are cut out.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogContext = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  /** A logger that adds `context` to every line. */
  child(context: LogContext): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY = /token|authorization|password|secret/i;
/** Interaction tokens travel in URL paths: /webhooks/<app>/<token>, /interactions/<id>/<token>. */
const TOKEN_IN_PATH = /(\/(?:webhooks|interactions)\/\d+\/)[A-Za-z0-9._-]{20,}/g;

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly write?: (line: string) => void;
  /** Secret values to scrub from every line (the bot token, say). */
  readonly redact?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}, base: LogContext = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const secrets = (options.redact ?? []).filter((s) => s.length >= 8);
  const emit = (level: LogLevel, message: string, context?: LogContext) => {
    if (ORDER[level] < min) return;
    const record = { time: new Date().toISOString(), level, msg: message, ...base, ...(context ?? {}) };
    let line = JSON.stringify(record, replacer).replace(TOKEN_IN_PATH, '$1[redacted]');
    for (const s of secrets) line = line.split(s).join('[redacted]');
    write(`${line}\n`);
  };
  return {
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
    child: (c) => createLogger(options, { ...base, ...c }),
  };
}

function replacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') return '[redacted]';
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
