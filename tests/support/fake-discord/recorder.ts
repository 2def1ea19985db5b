import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { RecordedRequest, Violation } from './types.js';
import { formatViolation } from './types.js';
import { Waiters } from './wait.js';

/**
 * Keeps every REST request the bot made, lets tests wait for one, and, when a
 * log file is given (`FAKE_DISCORD_LOG`), appends each as one JSON line with
 * file bytes summarised as length + sha256. The Authorization header is never
 * recorded, and the bot token is masked wherever it might appear.
 */
export class Recorder {
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  readonly #waiters = new Waiters<RecordedRequest>();
  readonly #log: WriteStream | undefined;
  #seq = 0;

  constructor(
    logFile: string | undefined,
    private readonly botToken: string,
  ) {
    this.#log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  }

  /** Numbers requests in arrival order; `requests` itself is in the order they were answered. */
  nextSeq(): number {
    return ++this.#seq;
  }

  record(request: RecordedRequest): void {
    this.requests.push(request);
    this.violations.push(...request.violations);
    this.#log?.write(`${logLine(request).replaceAll(this.botToken, '[bot token]')}\n`);
    this.#waiters.offer(request);
  }

  /** A violation that is no REST request's: the gateway's (`GATEWAY` as the method). */
  addViolation(violation: Violation): void {
    this.violations.push(violation);
  }

  /** The first request, already recorded or still to come, that `match` accepts. */
  waitFor(match: (r: RecordedRequest) => boolean, timeoutMs: number): Promise<RecordedRequest> {
    const seen = this.requests.find(match);
    if (seen) return Promise.resolve(seen);
    return this.#waiters.wait(match, timeoutMs, () => {
      const recent = this.requests.slice(-10).map((r) => `  ${r.method} ${r.path} → ${r.status}`);
      return `No matching request within ${timeoutMs} ms. Last requests:\n${recent.join('\n') || '  (none)'}`;
    });
  }

  takeViolations(): Violation[] {
    return this.violations.splice(0);
  }

  assertNoViolations(): void {
    if (this.violations.length === 0) return;
    const list = this.violations.map((v) => `  ${formatViolation(v)}`).join('\n');
    throw new Error(`The bot made ${this.violations.length} request(s) or gateway session(s) real Discord would refuse or mishandle:\n${list}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#log ? this.#log.end(resolve) : resolve()));
  }
}

function logLine(r: RecordedRequest): string {
  return JSON.stringify({
    ...r,
    files: r.files.map((f) => ({
      name: f.name,
      filename: f.filename,
      contentType: f.contentType,
      size: f.data.length,
      sha256: createHash('sha256').update(f.data).digest('hex'),
    })),
  });
}
