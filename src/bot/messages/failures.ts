/**
 * What a member is told when their animation failed for good. The store keeps why as data (JobFailure); the
 * words are here. A reason is a clause ("the bot stopped while making it") or, from the engine or a limit,
 * a whole sentence ("The photo could not be decoded; …").
 */
import type { FailureReason, JobFailure } from '../../store/index.js';
import { plural } from '../discord/format.js';

function reasonText(reason: FailureReason): string {
  switch (reason.code) {
    case 'internal':
      return 'something went wrong on our side';
    case 'worker-lost':
      return 'the bot stopped while making it';
    case 'disk-full':
      return 'the bot ran out of disk space';
    case 'timeout':
      return `It took longer than this bot allows (${plural(reason.minutes, 'minute')}), so it was stopped; a shorter driving video is quicker to make.`;
    case 'too-large-to-deliver': {
      const limit = `${(reason.limitBytes / 1024 / 1024).toFixed(1)} MB`;
      return `The animation couldn't be made small enough for Discord's upload limit here (${limit}). Try a shorter video.`;
    }
    case 'input':
    case 'legacy':
      return reason.message;
  }
}

/** The member's sentence for a failed job; `attempts` is how many were made. */
export function failureText(failure: JobFailure, attempts: number): string {
  if (failure.reason.code === 'legacy') return failure.reason.message;
  const reason = reasonText(failure.reason);
  if (failure.afterRetries) {
    // Every accepted job counts toward the limits, whatever happened to it (docs/store.md): a retry is not free.
    const again = "You can send it again; like any animation, it counts toward this server's limits.";
    return `Your animation failed after ${plural(attempts, 'attempt')}: ${reason}. ${again}`;
  }
  return /^[A-Z].*[.!?]$/.test(reason) ? `Your animation failed. ${reason}` : `Your animation failed: ${reason}.`;
}
