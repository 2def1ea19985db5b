import { join } from 'node:path';
import type { Attachment } from 'discord.js';
import type { BotConfig } from '../../config.js';
import { allOrAbort } from '../../util/all-or-abort.js';
import { downloadAttachment, DownloadError, type Downloaded, type DownloadPolicy } from './attachment-download.js';

/** The photo and video of a command, downloaded into its job's folder. */
export interface FetchedFiles {
  readonly photo: Downloaded;
  readonly video: Downloaded;
}

/** A download that failed, with which attachment it was. */
export class AttachmentFailure extends Error {
  constructor(
    readonly what: 'photo' | 'video',
    override readonly cause: DownloadError,
  ) {
    super(`${what}: ${cause.message}`);
  }
}

/**
 * Downloads both attachments at once (CDN URLs expire), each at most what Discord says it holds and never
 * over its cap: a CDN that sends more is cut off. One failed download stops the other (before the caller
 * removes the folder).
 */
export function fetchAttachments(
  config: BotConfig,
  dir: string,
  attachments: { photo: Attachment; video: Attachment },
  caps: { photo: number; video: number },
): Promise<FetchedFiles> {
  const policy = (a: Attachment, cap: number): DownloadPolicy => ({
    expectedBytes: a.size,
    allowedHosts: config.cdnHosts,
    allowHttp: config.allowInsecureCdn,
    maxBytes: Math.min(cap, a.size),
    timeoutMs: config.downloadTimeoutSeconds * 1000,
    idleTimeoutMs: config.downloadIdleSeconds * 1000,
  });
  const fetchOne = (what: 'photo' | 'video', a: Attachment, file: string, cap: number) => (signal: AbortSignal) =>
    downloadAttachment(a.url, join(dir, `${file}${safeExtension(a.name)}`), policy(a, cap), signal).catch((e: unknown) => {
      throw e instanceof DownloadError ? new AttachmentFailure(what, e) : e;
    });
  return allOrAbort<[Downloaded, Downloaded]>([
    fetchOne('photo', attachments.photo, 'photo', caps.photo),
    fetchOne('video', attachments.video, 'driving', caps.video),
  ]).then(([photo, video]) => ({ photo, video }));
}

/** A short, safe extension from an uploaded file name (the name itself is never used as a path). */
function safeExtension(name: string): string {
  const m = /\.([a-z0-9]{1,5})$/i.exec(name);
  return m ? `.${m[1]!.toLowerCase()}` : '';
}
