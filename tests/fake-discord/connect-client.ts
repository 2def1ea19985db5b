import { Client, Events, GatewayIntentBits } from 'discord.js';
import { afterEach, beforeEach } from 'vitest';
import { FakeDiscord, type FakeDiscordOptions } from '../support/fake-discord/index.js';

/** A real discord.js client logged in to the fake, resolved once it is ready. */
export async function connectClient(discord: FakeDiscord): Promise<Client> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: discord.apiBase },
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(discord.token);
  await ready;
  return client;
}

/**
 * Before each test: a fresh fake and a client connected to it; after each:
 * both closed. Read `discord` and `client` inside tests or later hooks.
 */
export function useConnectedClient(options: FakeDiscordOptions = {}): { readonly discord: FakeDiscord; readonly client: Client } {
  const current: { discord?: FakeDiscord; client?: Client } = {};
  beforeEach(async () => {
    current.discord = await FakeDiscord.start(options);
    current.client = await connectClient(current.discord);
  });
  afterEach(async () => {
    await current.client?.destroy();
    await current.discord?.close();
  });
  return {
    get discord() {
      if (!current.discord) throw new Error('useConnectedClient: read discord inside a test or hook');
      return current.discord;
    },
    get client() {
      if (!current.client) throw new Error('useConnectedClient: read client inside a test or hook');
      return current.client;
    },
  };
}
