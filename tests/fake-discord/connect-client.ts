import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { FakeDiscord } from '../support/fake-discord/index.js';

/** A real discord.js client logged in to the fake, resolved once it is ready. */
export async function connectClient(discord: FakeDiscord, options: { retries?: number } = {}): Promise<Client> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: discord.apiBase, ...(options.retries === undefined ? {} : { retries: options.retries }) },
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(discord.token);
  await ready;
  return client;
}
