import type { JobFiles } from '../../jobs/job-files.js';
import { MediaIntegrityError, MediaNotFoundError } from '../../media/index.js';
import type { DeliveryRoute, DeliveryTask, GuildFilter, Job, Store } from '../../store/index.js';
import type { Logger } from '../../util/log.js';
import { discordStatus, isRouteClosed, type DiscordApi, type NamedFile, type OutgoingMessage } from '../discord/api.js';
import { attachesClip, clipFileName, deliveryRetryDelayMs, deliveryRoutes, MAX_DELIVERY_ATTEMPTS, placeOfEarlierClip } from './plan.js';
import { botMessages, DISCLAIMER } from '../messages/bot.js';
import { failureText } from '../messages/failures.js';
import { clipMessage } from '../messages/framing.js';

/**
 * Posts finished jobs' results (and failure notices) exactly once, across
 * restarts: each attempt is recorded in the store before anything is posted
 * (`beginDelivery`) and after (`markDelivered`). A job found mid-delivery after
 * a crash is "in doubt": channel and DM messages carry the job id as a nonce
 * that Discord enforces, so posting again cannot duplicate them (and past the
 * nonce's few minutes the clip is looked for in the channel); an interaction
 * delivery in doubt takes a public follow-up found in the channel, else edits
 * the original reply (idempotent) instead of posting another follow-up.
 */
export class Deliverer {
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly api: DiscordApi,
    private readonly files: JobFiles,
    private readonly logger: Logger,
    /** The shard's guilds only (a sharded bot: each shard delivers its own guilds' jobs); absent: all. */
    private readonly guilds?: GuildFilter,
  ) {}

  /** Retries pending deliveries periodically (after Discord outages, restarts). */
  start(intervalMs: number): void {
    this.stopping = false;
    this.timer = setInterval(() => void this.kick(), intervalMs);
    void this.kick(); // a pass catches and logs its own errors
  }

  /** Delivers everything pending; coalesces calls made while a pass runs. */
  kick(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        // Page by page to the end: jobs still waiting for their retry (an outage) never hide newer ones.
        let after: number | null = 0;
        while (after !== null && !this.stopping) {
          const page = await this.store.pendingDeliveries(after);
          for (const task of page.tasks) {
            if (this.stopping) break;
            if (this.guilds && !this.guilds(task.job.guildId)) continue;
            await this.deliver(task);
          }
          after = page.cursor;
        }
      } while (this.again && !this.stopping);
    })()
      .catch((e: unknown) => this.logger.error('delivery pass failed', { error: e as Error }))
      .finally(() => (this.running = null));
    return this.running;
  }

  /** Stops after the delivery in progress (a pass does not go on through the rest); the next start resumes. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async deliver(task: DeliveryTask): Promise<void> {
    const { job } = task;
    const log = this.logger.child({ job: job.id, guild: job.guildId, user: job.userId });
    if (job.state === 'cancelled' || (job.state === 'succeeded' && !job.output?.path)) {
      await this.store.skipDelivery(job.id);
      return;
    }
    // A retry (the last attempt left it in doubt) waits its turn: outages are ridden out, not counted out.
    if (task.inDoubt && job.deliveryStartedMs !== null && this.store.now() < job.deliveryStartedMs + deliveryRetryDelayMs(job.deliveryAttempts)) return;
    if (job.deliveryAttempts >= MAX_DELIVERY_ATTEMPTS) {
      await this.store.markDeliveryFailed(job.id, 'gave up after repeated delivery attempts');
      log.warn('delivery given up', { attempts: job.deliveryAttempts });
      return;
    }
    const clip = await this.clipOf(job, log);
    if (clip === 'later') return;
    const routes = deliveryRoutes(job.visibility, task.tokenUsable);
    // The route of the attempt whose outcome is unknown (it may have posted), whichever route this pass takes.
    const doubtVia = task.inDoubt ? job.deliveryVia : null;
    let lastError = 'no route';
    for (const route of routes) {
      const begun = await this.store.beginDelivery(job.id, route);
      if (!begun.ok) continue; // the token expired meanwhile: next route
      try {
        const messageId = await this.post(begun.job, route, { token: begun.token, nonce: begun.nonce, doubtVia, clip });
        await this.store.markDelivered(job.id, route, messageId);
        log.info('delivered', { route, state: job.state });
        return;
      } catch (e) {
        lastError = (e as Error).message;
        if (isRouteClosed(e)) {
          log.info('delivery route closed, trying the next', { route, status: discordStatus(e), error: lastError });
          continue;
        }
        // Transient (Discord 5xx, network): stays "delivering"; the next pass retries, in doubt.
        log.warn('delivery failed, will retry', { route, error: lastError });
        return;
      }
    }
    await this.store.markDeliveryFailed(job.id, lastError);
    log.warn("no delivery route worked; the result stays in the user's history", { error: lastError });
  }

  /**
   * The clip's file on this host (fetched from the media store when a worker elsewhere made it); null when the job
   * has no clip to post, or its stored clip is damaged or gone (the member is told instead: never a broken clip);
   * 'later' when it cannot be fetched now (the database is away): the next pass tries again.
   */
  private async clipOf(job: Job, log: Logger): Promise<string | null | 'later'> {
    if (job.state !== 'succeeded') return null;
    try {
      return await this.files.localResult(job);
    } catch (e) {
      if (e instanceof MediaIntegrityError || e instanceof MediaNotFoundError) {
        log.error('the stored clip is damaged or gone; the member is told instead', { error: e.message });
        return null;
      }
      log.warn('the clip could not be fetched from the media store; will retry', { error: (e as Error).message });
      return 'later';
    }
  }

  /**
   * Posts on one route; returns the message id. `doubtVia`: the route of an earlier attempt that may have posted
   * (null when none): where that could have left the clip (placeOfEarlierClip) is looked at first when this route
   * posts there (the interaction's public follow-up, like a channel message, lands in the channel).
   */
  private async post(job: Job, route: DeliveryRoute, how: PostOptions): Promise<string> {
    const { token, nonce, doubtVia } = how;
    // A clip that could not be fetched intact is delivered as a failure notice.
    const succeeded = job.state === 'succeeded' && how.clip !== null;
    const clip: NamedFile[] = succeeded && attachesClip(job.visibility, route) ? [{ path: how.clip!, name: clipFileName(job.id, how.clip!) }] : [];
    const ephemeral = job.visibility === 'requester';
    const earlierClip = placeOfEarlierClip(job.visibility, doubtVia);
    if (route === 'interaction') {
      if (!succeeded) {
        // A failure notice replaces the status message.
        const m = await this.api.editOriginal(token!, { content: failureOf(job), components: [] });
        return m.id;
      }
      const notes = job.output?.notes ?? [];
      const result: OutgoingMessage = { content: clipMessage(null, notes, DISCLAIMER), files: clip, ephemeral, mentionUsers: [] };
      if (earlierClip === 'channel') {
        // The original reply, edited with the clip, is there too. (The reply already says done: nothing to edit.)
        const found = await this.findEarlierPost(job, route, job.channelId, clip[0]!.name);
        if (found !== null) return found;
      }
      if (doubtVia === 'interaction') {
        const m = await this.api.editOriginal(token!, { ...result, content: clipMessage(botMessages.done, notes, DISCLAIMER), components: [] });
        return m.id;
      }
      await this.api.editOriginal(token!, { content: botMessages.done, components: [] }).catch(() => undefined);
      const m = await this.api.followUp(token!, result);
      return m.id;
    }
    const failure = failureOf(job);
    let text: string;
    if (route === 'channel') {
      if (attachesClip(job.visibility, route)) {
        text = succeeded ? clipMessage(botMessages.resultReady(job.userId), job.output?.notes ?? [], DISCLAIMER) : `<@${job.userId}> ${failure}`;
      } else {
        // A private result's channel message is a notice only: no clip, and no failure reason for the channel to read.
        text = succeeded ? botMessages.resultPrivateReady(job.userId) : botMessages.resultPrivateFailed(job.userId);
      }
    } else {
      text = succeeded ? clipMessage(botMessages.dmResultReady(job.channelId), job.output?.notes ?? [], DISCLAIMER) : failure;
    }
    const message: OutgoingMessage = { content: text, files: clip, mentionUsers: route === 'channel' ? [job.userId] : [], nonce };
    const channelId = route === 'channel' ? job.channelId : await this.api.directChannel(job.userId);
    // The nonce guards a retry for a few minutes only (retries back off for up to an hour, a restart can take
    // longer): look for the clip among the channel's latest messages first — in the channel also when the attempt
    // in doubt was a public follow-up whose token has expired since.
    if (earlierClip === route && clip.length > 0) {
      const found = await this.findEarlierPost(job, route, channelId, clip[0]!.name);
      if (found !== null) return found;
    }
    return (await this.api.sendToChannel(channelId, message)).id;
  }

  /**
   * The id of the clip an earlier attempt posted in this channel, if it is among the latest messages; null when it
   * is not, or when the bot may not read the channel (no Read Message History): the caller then delivers as it
   * would. Any other failure (Discord 5xx, the network) is thrown: the delivery stays in doubt for the next pass.
   */
  private async findEarlierPost(job: Job, route: DeliveryRoute, channelId: string, fileName: string): Promise<string | null> {
    const found = await this.api.findOwnMessageWithFile(channelId, fileName).catch((e: unknown) => {
      if (!isRouteClosed(e)) throw e;
      this.logger.warn('could not look for an earlier delivery; delivering again', { job: job.id, route, error: (e as Error).message });
      return null;
    });
    if (found !== null) this.logger.info('an earlier attempt had delivered; not posting again', { job: job.id, route, message: found });
    return found;
  }
}

interface PostOptions {
  readonly token: string | null;
  readonly nonce: string;
  /** The route of an earlier attempt that may have posted, or null. */
  readonly doubtVia: DeliveryRoute | null;
  /** The clip's file on this host; null for a job that failed, or whose clip was lost. */
  readonly clip: string | null;
}

/** What the member is told of a failed job (a job with no recorded reason failed on our side), or of a clip lost in storage. */
function failureOf(job: Job): string {
  if (job.state === 'succeeded') return botMessages.clipLost;
  return job.failure === null ? botMessages.internalError : failureText(job.failure, job.attempts);
}
