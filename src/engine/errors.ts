/**
 * Errors the engine raises. An InputError is the user's to fix: its message is
 * one clear sentence that can be shown as is (CLI exit code 2, a Discord reply).
 * A ConfigError is the operator's: a program or setting this machine lacks
 * (CLI and bot exit code 78). Anything else is an internal error, logged with context.
 */
export type InputErrorCode =
  | 'file-missing'
  | 'empty-file'
  | 'file-too-large'
  | 'unsupported-format'
  | 'unreadable-image'
  | 'unreadable-video'
  | 'no-video-stream'
  | 'image-too-large'
  | 'bad-dimensions'
  | 'video-too-large'
  | 'video-too-long'
  | 'too-many-frames'
  | 'too-many-streams'
  | 'bad-frame-rate'
  | 'bad-option'
  | 'bad-model'
  | 'output-format';

export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: InputErrorCode,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The caller aborted the job (AbortSignal); partial output has been removed. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'The animation was cancelled.') {
    super(message);
  }
}

/**
 * A program or setting Marionette needs is missing or unusable here (ffmpeg, ffprobe, Python with PyTorch, a
 * bot setting): the operator's to fix, neither the user's input nor a bug. Its message is one sentence naming
 * what is missing and how to provide it; no stack trace is shown for it. Exit code 78 (EX_CONFIG).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** Something outside the user's input failed (ffmpeg missing, model crashed, out of memory). */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `text` with every absolute file path cut to its last part (`/srv/marionette/models/x/generator.onnx` →
 * `generator.onnx`). An InputError's message is shown to users as is (a Discord reply), and the server's
 * paths are none of their business: keep paths in the error's context (for logs), and pass text that may hold
 * them (another library's error message) through here first.
 */
export function withoutPaths(text: string): string {
  // A path has at least two parts (`/srv/x`): a lone `/9` (a ratio, "16 /9") or `)/tensor(…)` in a type name is not one.
  return text.replace(/(?<![\w.~:/\\)\]-])(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"`()[\]{}<>:;,|]+){2,}[\\/]?/g, (path) => {
    const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
    return parts[parts.length - 1] ?? path;
  });
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
