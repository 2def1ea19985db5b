import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BotWorld } from '../support/bot-world.js';

/**
 * The inference worker dies in the middle of a job — an uncaught exception,
 * then (in a later job) its heap running out. Each time the job's attempt
 * fails, the engine starts a new worker, the job runs again and is delivered
 * exactly once, and the bot keeps serving. (MARIONETTE_FAULT is the engine's
 * test-only chaos hook; each fault fires once per process, at the generator
 * batch it names: the first job's 2nd batch, and a batch well after the
 * second job.)
 */
let world: BotWorld;
beforeAll(async () => {
  process.env['MARIONETTE_FAULT'] = 'worker-crash@2,worker-oom@40';
  world = await BotWorld.create({ bot: { storeConfig: { backoffBaseMs: 300 } } });
  await world.startBot();
});
afterAll(async () => {
  delete process.env['MARIONETTE_FAULT'];
  await world.close();
});
afterEach(() => world.discord.assertNoViolations());

const results = (token: string) =>
  world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === token && r.files.length > 0 && r.status < 300);

describe('the inference worker dies', () => {
  it('GIVEN the worker thread crashes mid-job THEN the job is retried on a new worker and delivered once, and the bot goes on serving', async () => {
    const user = await world.member();
    const cmd = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('clip.mp4', 40, 10) },
    });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(results(cmd.token)).toHaveLength(1), { timeout: 60_000, interval: 200 });
    const job = (await world.store.history(user.id)).items[0]!;
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(job.lastError).toMatch(/inference worker/);
    expect(world.logLines.some((l) => l.includes('"msg":"job attempt failed"') && l.includes(job.id))).toBe(true);

    const next = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await next.waitForAck();
    await vi.waitFor(() => expect(results(next.token)).toHaveLength(1), { timeout: 60_000, interval: 200 });
    await new Promise((r) => setTimeout(r, 500));
    expect(results(cmd.token)).toHaveLength(1);
  });

  it('GIVEN the worker exhausts its heap THEN only the worker dies: the job is retried and delivered once', async () => {
    const user = await world.member();
    let oom: string | null = null;
    // Batches of 4 frames: a 40-frame clip runs ten batches; the 40th batch of the process lands in one of these jobs.
    for (let i = 0; i < 4 && oom === null; i++) {
      const cmd = await world.discord.slashCommand({
        name: 'animate',
        user,
        options: { photo: await world.photo(), video: await world.video('clip.mp4', 40, 10) },
      });
      await cmd.waitForAck();
      await vi.waitFor(() => expect(results(cmd.token)).toHaveLength(1), { timeout: 90_000, interval: 200 });
      const job = (await world.store.history(user.id)).items[0]!;
      if (job.attempts === 2) oom = job.lastError;
    }
    expect(oom).toMatch(/inference worker/);
  });
});
