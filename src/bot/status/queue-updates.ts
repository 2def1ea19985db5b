import type { ActiveJob, GuildFilter, QueueStatus, Store } from '../../store/index.js';
import type { Logger } from '../../util/log.js';
import { cancelRow } from '../discord/components.js';
import { restoreStopped } from './progress-reporter.js';
import type { DiscordApi } from '../discord/api.js';
import { botMessages } from '../messages/bot.js';
import { estimatedEndMs } from './remote-progress.js';

/**
 * Keeps waiting members informed: every few seconds, a queued job whose position changed gets its status message
 * edited (while the interaction token lives), and so does a job running in another process (a `marionette worker`,
 * another host) whose progress changed: its worker reports progress to the store with each heartbeat. Jobs running
 * in this process are the ProgressReporter's (every engine progress event). A sharded bot shows its own guilds' jobs.
 */
export class QueueUpdates {
  private readonly shown = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly store: Store,
    private readonly api: DiscordApi,
    private readonly logger: Logger,
    /** Jobs this process runs (their progress is shown as the engine reports it). */
    private readonly runsHere: (jobId: string) => boolean,
    private readonly guilds?: GuildFilter,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The position a reply already shows (set when the job is queued). */
  showing(jobId: string, position: number): void {
    this.shown.set(jobId, `queued:${position}`);
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const active = (await this.store.activeJobs()).filter((j) => !this.guilds || this.guilds(j.guildId));
      const ids = new Set(active.map((j) => j.id));
      for (const id of this.shown.keys()) if (!ids.has(id)) this.shown.delete(id);
      const positions = active.some((j) => j.state === 'queued') ? await this.store.queueStatuses() : new Map<string, QueueStatus>();
      for (const job of active) {
        if (job.state === 'running' && this.runsHere(job.id)) continue;
        const status = this.statusOf(job, positions);
        if (status === null || this.shown.get(job.id) === status.key) continue;
        const token = await this.store.interactionToken(job.id);
        if (!token) continue;
        this.shown.set(job.id, status.key);
        await this.api
          .editOriginal(token, { content: status.content, components: [cancelRow(job.id)] })
          .then(() => restoreStopped(this.store, this.api, job.id, token))
          .catch((e: unknown) => this.logger.warn('status edit failed', { job: job.id, error: (e as Error).message }));
      }
    } catch (e) {
      this.logger.error('status update failed', { error: e as Error });
    } finally {
      this.busy = false;
    }
  }

  /** What the status message should say, and a key that changes when it should be edited; null: nothing to show. */
  private statusOf(job: ActiveJob, positions: ReadonlyMap<string, QueueStatus>): { key: string; content: string } | null {
    if (job.state === 'running') {
      const percent = Math.floor((job.progress ?? 0) * 100);
      const eta = estimatedEndMs(job.startedMs, job.progress, this.store.now());
      return { key: `running:${percent}`, content: botMessages.running(percent, eta, 'generating') };
    }
    const status = positions.get(job.id);
    if (status === undefined) return null;
    return { key: `queued:${status.position}`, content: botMessages.queued(status.position, status.etaDoneMs) };
  }
}
