import type { FakeDiscord } from './fake-discord/index.js';

/** How long an interaction's token lasts after the command was created (Discord's rule; the fake's default). */
const TOKEN_LIFETIME_MS = 15 * 60_000;
/**
 * What is left of the token: enough for the bot to acknowledge the command, but less than the store's
 * 30-second safety margin (tokenSafetyMarginMs), so the bot never answers through the token again and a
 * finished job goes to a direct message or the channel instead.
 */
const TOKEN_LEFT_MS = 20_000;

/** The `createdAt` of a slash command whose token is as good as spent by the time its job finishes. */
export function createdAtWithTokenNearlySpent(discord: FakeDiscord): number {
  return discord.now() - TOKEN_LIFETIME_MS + TOKEN_LEFT_MS;
}
