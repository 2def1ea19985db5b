import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord/index.js';
import { startEchoBotProcess } from './echo-bot-process.js';

describe('GIVEN a bot in its own process, pointed at the fake by environment', () => {
  let discord: FakeDiscord;
  const children: ChildProcess[] = [];
  const startBot = () => {
    const child = startEchoBotProcess(discord);
    children.push(child);
    return child;
  };
  beforeEach(async () => {
    discord = await FakeDiscord.start();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await discord.close();
  });

  it('WHEN the bot is killed with SIGKILL and started again THEN the new process identifies afresh and answers', async () => {
    const first = startBot();
    await discord.waitForReady({ timeout: 20_000 });
    const before = await discord.slashCommand({ name: 'ping' });
    await before.waitForAck();
    expect(before.originalMessage()?.content).toBe(`pong from ${first.pid}`);

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const second = startBot();
    await discord.waitForReady({ identifies: 2, timeout: 20_000 });
    const after = await discord.slashCommand({ name: 'ping' });
    await after.waitForAck();
    expect(after.originalMessage()?.content).toBe(`pong from ${second.pid}`);
    expect(discord.resumeCount).toBe(0);
    discord.assertNoViolations();
  });

  it('WHEN 200 users invoke a command at once THEN every one is acknowledged within the window', async () => {
    const bot = startBot();
    await discord.waitForReady({ timeout: 20_000 });
    const users = Array.from({ length: 200 }, (_, n) => discord.addUser({ username: `user${n}` }));
    const photo = discord.addAttachment({ filename: 'face.png', contentType: 'image/png', data: Buffer.alloc(2048) });
    const began = performance.now();
    const interactions = await Promise.all(users.map((user) => discord.slashCommand({ name: 'queue', user, options: { photo } })));
    const acks = await Promise.all(interactions.map((i) => i.waitForAck()));
    const acked = performance.now() - began;
    const edits = () => discord.requests.filter((r) => r.operationId === 'update_original_webhook_message').length;
    await discord.waitForRequest(() => edits() === 200, { timeout: 15_000 });
    const edited = performance.now() - began;

    const latencies = acks.map((a) => a.latencyMs).sort((a, b) => a - b);
    const p95 = latencies[Math.floor(latencies.length * 0.95)] as number;
    console.log(
      `200 interactions, bot pid ${bot.pid}: all acknowledged after ${acked.toFixed(0)} ms (p50 ${latencies[100]?.toFixed(0)} ms, ` +
        `p95 ${p95.toFixed(0)} ms), all replies edited after ${edited.toFixed(0)} ms`,
    );
    expect(p95).toBeLessThan(3000);
    expect(interactions.map((i) => i.originalMessage()?.content)).toEqual(users.map((u) => `queued for ${u.username}`));
    discord.assertNoViolations();
  });
});
