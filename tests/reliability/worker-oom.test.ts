import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BotWorld } from '../support/bot-world.js';

/** Like worker-faults.test.ts, with the worker's heap exhausted (V8 out of memory) instead of a throw. */
let world: BotWorld;
beforeAll(async () => {
  process.env['MARIONETTE_FAULT'] = 'worker-oom@1';
  world = await BotWorld.create({ bot: { storeConfig: { backoffBaseMs: 300 } } });
  await world.startBot();
});
afterAll(async () => {
  delete process.env['MARIONETTE_FAULT'];
  await world.close();
});
afterEach(() => world.discord.assertNoViolations());

describe('the inference worker runs out of memory', () => {
  it('GIVEN the worker exhausts its heap THEN only the worker dies: the job is retried and delivered once', async () => {
    const user = world.member();
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await cmd.waitForAck();
    await vi.waitFor(
      () => expect(world.discord.requests.filter((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === cmd.token && r.files.length > 0)).toHaveLength(1),
      { timeout: 90_000, interval: 200 },
    );
    const job = world.store.history(user.id).items[0]!;
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(job.lastError).toMatch(/inference worker/);
  });
});
