import type { Store } from '../../store/index.js';
import type { Logger } from '../../util/log.js';
import { cancelRow } from '../discord/components.js';
import { restoreStopped } from './progress-reporter.js';
import type { DiscordApi } from '../discord/api.js';
import { botMessages } from '../messages/bot.js';

/**
 * Keeps waiting members informed: every few seconds, a queued job whose
 * position changed gets its status message edited (while the interaction
 * token lives). Running jobs are the ProgressReporter's.
 */
export class QueueUpdates {
  private readonly shown = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly store: Store,
    private readonly api: DiscordApi,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The position a reply already shows (set when the job is queued). */
  showing(jobId: string, position: number): void {
    this.shown.set(jobId, position);
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const queued = new Set(await this.store.queuedJobIds());
      for (const id of this.shown.keys()) if (!queued.has(id)) this.shown.delete(id);
      for (const id of queued) {
        const status = await this.store.queueStatus(id);
        if (!status || status.state !== 'queued' || this.shown.get(id) === status.position) continue;
        const token = await this.store.interactionToken(id);
        if (!token) continue;
        this.shown.set(id, status.position);
        await this.api
          .editOriginal(token, { content: botMessages.queued(status.position, status.etaDoneMs), components: [cancelRow(id)] })
          .then(() => restoreStopped(this.store, this.api, id, token))
          .catch((e: unknown) => this.logger.warn('queue position edit failed', { job: id, error: (e as Error).message }));
      }
    } catch (e) {
      this.logger.error('queue position update failed', { error: e as Error });
    } finally {
      this.busy = false;
    }
  }
}
