import { discordErrors } from './discord-error.js';
import type { RecordedFile } from './types.js';

/** Discord refuses a file over the size limit with 413 40005; a bot should check `attachment_size_limit` first. */
export function checkUploadSize(files: RecordedFile[], limitBytes: number): void {
  const tooBig = files.find((f) => f.data.length > limitBytes);
  if (tooBig) throw discordErrors.entityTooLarge().as('discord-rule');
}
