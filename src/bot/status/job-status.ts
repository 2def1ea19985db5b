import type { JobEvents } from '../../jobs/job-events.js';
import type { Deliverer } from '../delivery/deliverer.js';
import type { ProgressReporter } from './progress-reporter.js';

/**
 * What members see of the job runner's events: progress in the job's status message (throttled by the
 * ProgressReporter) and, when an attempt ends, the deliverer looks for a result to post.
 */
export function jobStatusEvents(progress: ProgressReporter, deliverer: Deliverer): JobEvents {
  return {
    started: (jobId) => progress.started(jobId),
    progress: (jobId, p) => progress.update(jobId, p),
    ended: (jobId) => {
      progress.forget(jobId);
      void deliverer.kick();
    },
  };
}
