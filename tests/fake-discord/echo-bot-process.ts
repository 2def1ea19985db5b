import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeDiscord } from '../support/fake-discord/index.js';

const botScript = fileURLToPath(new URL('./fixtures/echo-bot.mjs', import.meta.url));

/** Starts fixtures/echo-bot.mjs in its own process, pointed at the fake through its environment only. */
export function startEchoBotProcess(discord: FakeDiscord): ChildProcess {
  return spawn(process.execPath, [botScript], {
    env: { ...process.env, DISCORD_API_BASE: discord.apiBase, DISCORD_TOKEN: discord.token },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
