import type { AnimateProgress } from '../engine/index.js';

/**
 * What the job runner tells whoever shows jobs to people — the bot's status messages, later a remote
 * worker's progress column. Nothing here knows Discord: the runner reports, listeners decide what to say.
 */
export interface JobEvents {
  /** A job was claimed and starts running. */
  started(jobId: string): void;
  /** Progress of a running job, as often as the engine reports it (listeners throttle). */
  progress(jobId: string, progress: AnimateProgress): void;
  /** The attempt is over, whatever its outcome (succeeded, failed, cancelled, handed back), and its slot is free. */
  ended(jobId: string): void;
}
