import { readFile } from 'node:fs/promises';
import { undecodablePhoto, verifyPhotoDecodes } from './decode.js';
import type { MediaInfo } from './media-info.js';
import { photoIntegrity } from './photo-integrity.js';

/**
 * A command's check that its photo is whole, before the job is queued: a JPEG or PNG in-process
 * (photoIntegrity: its structure, and a PNG's image data inflated), another format, or a JPEG/PNG of a kind
 * that reader does not vouch for, by decoding it small with ffmpeg. A damaged photo is refused with the
 * sentence the decoder's refusal uses. The file has passed probeMedia (its size is within the byte limit).
 */
export async function screenPhoto(path: string, info: MediaInfo, signal?: AbortSignal): Promise<void> {
  const verdict = await photoIntegrity(await readFile(path));
  if (verdict.kind === 'whole') return;
  if (verdict.kind === 'damaged') throw undecodablePhoto({ path, reason: verdict.reason });
  await verifyPhotoDecodes(path, info, signal);
}
