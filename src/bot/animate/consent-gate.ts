import type { ChatInputCommandInteraction } from 'discord.js';
import type { Store } from '../../store/index.js';
import type { Logger } from '../../util/log.js';
import type { AnimateRequest } from './request.js';

/**
 * /animate commands waiting for their user to accept the terms. Held in
 * memory for the life of the interaction (14 minutes by default, within its
 * token's 15): after that, or after a restart, the user simply runs the
 * command again (their choice itself is in the store). A command is held
 * exactly while it is in the map; its timer is what ends the wait.
 *
 * Where results are public the command's reply is a line in the channel
 * saying it waits. It must not outlive the wait: it is removed when the wait
 * expires unanswered and when the bot stops, and a store row
 * (consent-waits.ts) lets the next process remove it after a crash.
 */
export interface PendingCommand {
  readonly interaction: ChatInputCommandInteraction<'cached' | 'raw'>;
  readonly request: AnimateRequest;
  readonly userId: string;
}

export const CONSENT_WAIT_MS = 14 * 60_000;
/** How long stopping the bot waits for Discord to remove the waiting lines (the next start removes what is left). */
const STOP_WITHDRAW_MS = 5_000;

export class ConsentGate {
  private readonly pending = new Map<string, PendingCommand & { readonly timer: NodeJS.Timeout }>();
  private stopped = false;

  constructor(
    private readonly store: Pick<Store, 'openConsentWait' | 'closeConsentWait'>,
    private readonly logger: Logger,
    private readonly lifetimeMs = CONSENT_WAIT_MS,
  ) {}

  /** Holds the command; its public reply (if any) must already be the waiting line. Returns the request id. */
  async hold(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, request: AnimateRequest): Promise<string> {
    const id = interaction.id;
    if (isPublic(interaction)) {
      await this.store.openConsentWait({
        interactionId: id,
        userId: interaction.user.id,
        guildId: interaction.guildId,
        token: interaction.token,
        createdMs: interaction.createdTimestamp,
      });
    }
    // A command that reached here while the bot stops is not held: its row lets the next start tidy the channel.
    if (this.stopped) return id;
    const timer = setTimeout(() => void this.expire(id), this.lifetimeMs);
    timer.unref();
    this.pending.set(id, { interaction, request, userId: interaction.user.id, timer });
    return id;
  }

  /** Takes the pending command (once); undefined when there is none (expired, answered, or forgotten by a restart). */
  async take(requestId: string): Promise<PendingCommand | undefined> {
    const p = this.pending.get(requestId);
    if (p === undefined) return undefined;
    // Out of the map at once (a second click cannot take it too), then its row.
    clearTimeout(p.timer);
    this.pending.delete(requestId);
    await this.store.closeConsentWait(requestId);
    return p;
  }

  peek(requestId: string): PendingCommand | undefined {
    return this.pending.get(requestId);
  }

  /**
   * The bot is stopping: no more holds, and the channel's waiting lines are removed (their commands die with this
   * process; the members' prompts still record an answer after the restart). A line Discord did not remove in time
   * keeps its row, for the next start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const held = [...this.pending.entries()];
    for (const [, p] of held) clearTimeout(p.timer);
    this.pending.clear();
    const withdrawals = held.filter(([, p]) => isPublic(p.interaction)).map(([id, p]) => this.withdraw(id, p));
    await Promise.race([Promise.all(withdrawals), new Promise((resolve) => setTimeout(resolve, STOP_WITHDRAW_MS).unref())]);
  }

  private async expire(requestId: string): Promise<void> {
    const p = this.pending.get(requestId);
    if (p === undefined) return;
    this.pending.delete(requestId);
    this.logger.info('consent prompt expired unanswered', { interaction: requestId, user: p.userId });
    if (isPublic(p.interaction)) await this.withdraw(requestId, p);
  }

  /** Deletes the channel's waiting line, then its row; on failure the row stays for the next start (and the sweep). */
  private async withdraw(requestId: string, p: PendingCommand): Promise<void> {
    try {
      await p.interaction.deleteReply();
      await this.store.closeConsentWait(requestId);
    } catch (e) {
      this.logger.warn('could not remove a waiting line', { interaction: requestId, error: (e as Error).message });
    }
  }
}

function isPublic(interaction: ChatInputCommandInteraction): boolean {
  return interaction.ephemeral !== true;
}
