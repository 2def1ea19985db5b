import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

/**
 * Downloads an attachment at enqueue time (Discord's CDN URLs expire), as a
 * stream to disk with a running SHA-256:
 *   - only from allowed hosts (Discord's CDN), https unless explicitly allowed;
 *   - redirects followed only to allowed hosts, at most 3;
 *   - the byte cap enforced on the bytes received, not on Content-Length (a
 *     server that lies about its length is cut off), and the total checked
 *     against the size Discord reported;
 *   - a total timeout and an idle timeout.
 */
export interface DownloadPolicy {
  readonly allowedHosts: readonly string[];
  readonly allowHttp: boolean;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  /** The size Discord reported: a body of any other size is refused (truncated, or padded). */
  readonly expectedBytes?: number;
}

export type DownloadFailure = 'host-not-allowed' | 'too-large' | 'size-mismatch' | 'http-error' | 'timeout' | 'network' | 'disk-full';

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly reason: DownloadFailure,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export interface Downloaded {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

const MAX_REDIRECTS = 3;

export function checkUrl(raw: string, policy: Pick<DownloadPolicy, 'allowedHosts' | 'allowHttp'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DownloadError('host-not-allowed', 'not a URL');
  }
  const protocolOk = url.protocol === 'https:' || (policy.allowHttp && url.protocol === 'http:');
  if (!protocolOk || !policy.allowedHosts.includes(url.hostname.toLowerCase()) || url.username || url.password) {
    throw new DownloadError('host-not-allowed', `attachment host ${url.protocol}//${url.hostname} is not allowed`, { host: url.hostname });
  }
  return url;
}

/** The attachment's response, following at most MAX_REDIRECTS redirects, each to an allowed host. */
async function fetchFollowingRedirects(rawUrl: string, policy: DownloadPolicy, signal: AbortSignal): Promise<Response & { body: ReadableStream<Uint8Array> }> {
  let url = checkUrl(rawUrl, policy);
  let response: Response | null = null;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    response = await fetch(url, { redirect: 'manual', signal, headers: { 'user-agent': 'Marionette (attachment download)' } });
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel();
      url = checkUrl(new URL(response.headers.get('location')!, url).href, policy);
      continue;
    }
    break;
  }
  if (!response || (response.status >= 300 && response.status < 400)) throw new DownloadError('http-error', 'too many redirects');
  if (!response.ok || !response.body) throw new DownloadError('http-error', `HTTP ${response.status}`, { status: response.status });
  return response as Response & { body: ReadableStream<Uint8Array> };
}

export async function downloadAttachment(rawUrl: string, destination: string, policy: DownloadPolicy, signal?: AbortSignal): Promise<Downloaded> {
  const total = AbortSignal.timeout(policy.timeoutMs);
  const idle = new AbortController();
  const combined = AbortSignal.any([total, idle.signal, ...(signal ? [signal] : [])]);
  let idleTimer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => idle.abort(), policy.idleTimeoutMs);
  };
  const out = createWriteStream(destination, { flags: 'wx' });
  // Until the pipeline below owns it, an error (the file cannot be created) must not go unhandled.
  const failed: { write: NodeJS.ErrnoException | null } = { write: null };
  out.on('error', (e: NodeJS.ErrnoException) => (failed.write ??= e));
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    touch();
    const response = await fetchFollowingRedirects(rawUrl, policy, combined);
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > policy.maxBytes) {
      await response.body.cancel();
      throw new DownloadError('too-large', `declared ${declared} bytes, over ${policy.maxBytes}`, { declared });
    }
    // Counted and hashed on the way to the file. pipeline() settles on the first error of any stage (a write
    // failing asynchronously on a full disk included: waiting for 'drain' by hand could then wait forever),
    // destroys every stage and cancels the body.
    const count = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        touch();
        bytes += chunk.byteLength;
        if (bytes > policy.maxBytes) {
          callback(new DownloadError('too-large', `more than ${policy.maxBytes} bytes received`, { bytes }));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), count, out, { signal: combined });
    if (policy.expectedBytes !== undefined && bytes !== policy.expectedBytes) {
      throw new DownloadError('size-mismatch', `received ${bytes} bytes, Discord said ${policy.expectedBytes}`, { bytes });
    }
    return { path: destination, bytes, sha256: hash.digest('hex') };
  } catch (e) {
    out.destroy();
    await rm(destination, { force: true });
    if (e instanceof DownloadError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? failed.write?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new DownloadError('disk-full', 'no space left to save the attachment');
    if (total.aborted || idle.signal.aborted) throw new DownloadError('timeout', 'the download timed out');
    if (signal?.aborted) throw e;
    throw new DownloadError('network', (e as Error).message);
  } finally {
    clearTimeout(idleTimer);
  }
}
