import type { ChatInputCommandInteraction } from 'discord.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../util/log.js';
import type { AnimateRequest } from './animate-request.js';
import { withdrawPublicReply } from './private-refusal.js';

/**
 * /animate commands waiting for their user to accept the terms. Held in
 * memory for the life of the interaction (14 minutes by default): after that,
 * or after a restart, the user simply runs the command again (their choice
 * itself is in the store).
 *
 * Where results are public the command's reply is a line in the channel
 * saying it waits. It must not outlive the wait: it is removed when the wait
 * expires unanswered, and a store row (consent-waits.ts) lets the next process
 * remove it when a restart forgot the command.
 */
export interface PendingCommand {
  readonly interaction: ChatInputCommandInteraction<'cached' | 'raw'>;
  readonly request: AnimateRequest;
  readonly userId: string;
  readonly expiresMs: number;
}

export const CONSENT_WAIT_MS = 14 * 60_000;

export class ConsentGate {
  private readonly pending = new Map<string, PendingCommand & { readonly timer: NodeJS.Timeout }>();

  constructor(
    private readonly store: Pick<Store, 'openConsentWait' | 'closeConsentWait'>,
    private readonly logger: Logger,
    private readonly lifetimeMs = CONSENT_WAIT_MS,
  ) {}

  /** Holds the command; its public reply (if any) must already be the waiting line. Returns the request id. */
  hold(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, request: AnimateRequest): string {
    const id = interaction.id;
    const isPublic = interaction.ephemeral !== true;
    if (isPublic) {
      this.store.openConsentWait({ interactionId: id, userId: interaction.user.id, guildId: interaction.guildId, token: interaction.token, createdMs: interaction.createdTimestamp });
    }
    const timer = setTimeout(() => void this.expire(id), this.lifetimeMs);
    timer.unref();
    this.pending.set(id, { interaction, request, userId: interaction.user.id, expiresMs: Date.now() + this.lifetimeMs, timer });
    return id;
  }

  /** Takes the pending command (once); undefined when there is none (expired, answered, or forgotten by a restart). */
  take(requestId: string): PendingCommand | undefined {
    const p = this.pending.get(requestId);
    if (p === undefined) return undefined;
    this.release(requestId, p.timer);
    return p.expiresMs > Date.now() ? p : undefined;
  }

  peek(requestId: string): PendingCommand | undefined {
    return this.pending.get(requestId);
  }

  /** Stops the expiry timers (the bot is stopping): the store's rows let the next process tidy the channel. */
  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private async expire(requestId: string): Promise<void> {
    const p = this.pending.get(requestId);
    if (p === undefined) return;
    this.release(requestId, p.timer);
    this.logger.info('consent prompt expired unanswered', { interaction: requestId, user: p.userId });
    await withdrawPublicReply(p.interaction);
  }

  private release(requestId: string, timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.pending.delete(requestId);
    this.store.closeConsentWait(requestId);
  }
}
