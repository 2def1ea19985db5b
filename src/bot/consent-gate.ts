import type { ChatInputCommandInteraction } from 'discord.js';
import type { AnimateRequest } from './animate-request.js';

/**
 * /animate commands waiting for their user to accept the terms. Held in
 * memory for the life of the interaction (15 minutes): after a restart the
 * user simply runs the command again (their choice itself is in the store).
 */
export interface PendingCommand {
  readonly interaction: ChatInputCommandInteraction<'cached' | 'raw'>;
  readonly request: AnimateRequest;
  readonly userId: string;
  readonly expiresMs: number;
}

const LIFETIME_MS = 14 * 60_000;

export class ConsentGate {
  private readonly pending = new Map<string, PendingCommand>();

  hold(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, request: AnimateRequest): string {
    this.prune();
    this.pending.set(interaction.id, { interaction, request, userId: interaction.user.id, expiresMs: Date.now() + LIFETIME_MS });
    return interaction.id;
  }

  /** Takes the pending command (once). */
  take(requestId: string): PendingCommand | undefined {
    const p = this.pending.get(requestId);
    this.pending.delete(requestId);
    return p && p.expiresMs > Date.now() ? p : undefined;
  }

  peek(requestId: string): PendingCommand | undefined {
    return this.pending.get(requestId);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, p] of this.pending) if (p.expiresMs <= now) this.pending.delete(id);
  }
}
