import { extname } from 'node:path';

/**
 * What an attachment's metadata must say before it is downloaded. Pure: the
 * content type Discord reports (or, when missing, the file extension).
 */
export interface AttachmentFacts {
  readonly name: string;
  readonly contentType: string | null;
  readonly size: number;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif']);
const VIDEO_EXT = new Set(['.mp4', '.mov', '.m4v', '.webm', '.mkv', '.avi', '.gif']);

export function effectiveType(a: AttachmentFacts): string | null {
  return a.contentType?.split(';')[0]?.trim().toLowerCase() || null;
}

export function looksLikePhoto(a: AttachmentFacts): boolean {
  const type = effectiveType(a);
  if (type) return type.startsWith('image/') && type !== 'image/svg+xml';
  return IMAGE_EXT.has(extname(a.name).toLowerCase());
}

export function looksLikeVideo(a: AttachmentFacts): boolean {
  const type = effectiveType(a);
  if (type) return type.startsWith('video/') || type === 'image/gif';
  return VIDEO_EXT.has(extname(a.name).toLowerCase());
}
