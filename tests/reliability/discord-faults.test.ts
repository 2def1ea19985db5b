import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DISCLAIMER } from '../../src/bot/messages/bot.js';
import { BotWorld, bodyField } from '../support/bot-world.js';
import { modelsWithBrokenCopy } from '../support/broken-model.js';
import { createdAtWithTokenNearlySpent } from '../support/spent-token.js';
import { failureText } from '../../src/bot/messages/failures.js';

/**
 * Discord misbehaving (429 with Retry-After, 500s, a dropped gateway) and a
 * corrupt model file: every accepted job still ends delivered exactly once or
 * failed with a message to its user, and the bot keeps serving.
 */
let world: BotWorld;

beforeAll(async () => {
  world = await BotWorld.create({ discord: { ackWindowMs: null }, env: { MARIONETTE_MODELS_DIR: modelsWithBrokenCopy() } });
  await world.startBot();
  await world.store.updateGuildSettings(world.discord.guild().id, { visibility: 'public', perUserPerHour: 100, perUserPerDay: 1000 }, 'moderator');
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

const clipPosts = (pred: (r: (typeof world.discord.requests)[number]) => boolean) =>
  world.discord.requests.filter((r) => r.files.length > 0 && r.status < 300 && pred(r));

describe('Discord answers badly', () => {
  it('GIVEN a 429 with Retry-After on the follow-up THEN discord.js waits, and the clip is delivered once', async () => {
    world.discord.failRequests({ match: 'execute_webhook', status: 429, retryAfter: 1, times: 1 });
    const user = await world.member();
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(clipPosts((r) => r.params['webhook_token'] === cmd.token)).toHaveLength(1), { timeout: 60_000, interval: 200 });
    expect(world.discord.requests.some((r) => r.operationId === 'execute_webhook' && r.status === 429)).toBe(true);
    expect(world.logLines.some((l) => l.includes('"msg":"rate limited by Discord"'))).toBe(true);
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ delivery: 'interaction' }));
  });

  it('GIVEN the queued status edit fails THEN the member is not told something went wrong, and the clip is still delivered', async () => {
    const user = await world.member();
    world.discord.failRequests({ match: 'update_original_webhook_message', status: 400, times: 1 });
    const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await cmd.waitForAck();
    await vi.waitFor(() => expect(clipPosts((r) => r.params['webhook_token'] === cmd.token)).toHaveLength(1), { timeout: 60_000, interval: 200 });
    const mine = world.discord.requests.filter((r) => r.params['webhook_token'] === cmd.token);
    expect(mine.some((r) => r.operationId === 'update_original_webhook_message' && r.status === 400)).toBe(true);
    expect(mine.some((r) => String(bodyField(r, 'content') ?? '').includes('Something went wrong'))).toBe(false);
    expect(world.logLines.some((l) => l.includes('queued, but the status message could not be shown'))).toBe(true);
  });

  it('GIVEN 500s on the channel post (token expired) THEN the delivery is retried and lands exactly once (the job id is the message nonce)', async () => {
    const user = await world.member();
    world.discord.failRequests({ match: 'create_message', status: 500, times: 5 });
    const cmd = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video() },
      createdAt: createdAtWithTokenNearlySpent(world.discord),
    });
    await cmd.waitForAck();
    await vi.waitFor(
      () => expect(clipPosts((r) => r.operationId === 'create_message' && String(bodyField(r, 'content')).includes(`<@${user.id}>`))).toHaveLength(1),
      {
        timeout: 60_000,
        interval: 200,
      },
    );
    const post = clipPosts((r) => r.operationId === 'create_message' && String(bodyField(r, 'content')).includes(`<@${user.id}>`))[0]!;
    expect(String(bodyField(post, 'content'))).toContain(DISCLAIMER);
    expect(String(bodyField(post, 'content'))).toMatch(/\*\*AI-generated\.\*\*/); // the wording itself, not only the constant
    expect(world.discord.requests.filter((r) => r.operationId === 'create_message' && r.status === 500).length).toBeGreaterThanOrEqual(3);
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ delivery: 'channel' }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(clipPosts((r) => r.operationId === 'create_message' && String(bodyField(r, 'content')).includes(`<@${user.id}>`))).toHaveLength(1);
  });

  it('GIVEN the gateway drops during a job THEN the bot resumes, delivers, and answers the next command', async () => {
    const user = await world.member();
    const cmd = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video('clip.mp4', 60, 20) },
    });
    await cmd.waitForAck();
    const resumes = world.discord.resumeCount;
    world.discord.dropGateway();
    await vi.waitFor(() => expect(world.discord.resumeCount).toBe(resumes + 1), { timeout: 20_000 });
    await vi.waitFor(() => expect(clipPosts((r) => r.params['webhook_token'] === cmd.token)).toHaveLength(1), { timeout: 60_000, interval: 200 });
    const next = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    const ack = await next.waitForAck();
    expect(ack.type).toBe(5);
  });
});

describe('a corrupt model file', () => {
  it('GIVEN a model whose generator is truncated THEN its job fails with a sentence naming the model, and other models keep working', async () => {
    const user = await world.member();
    const cmd = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: await world.photo(), video: await world.video(), model: 'broken' },
    });
    await cmd.waitForAck();
    await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]).toMatchObject({ state: 'failed', delivery: 'interaction' }), {
      timeout: 60_000,
      interval: 200,
    });
    const job = (await world.store.history(user.id)).items[0]!;
    expect(job.attempts).toBe(1); // not retried: the model will not load any better next time
    const told = failureText(job.failure!, job.attempts);
    expect(told).toMatch(/^Your animation failed\. The model in .*broken could not be loaded by onnxruntime/);
    expect(cmd.originalMessage()?.content).toBe(told);

    const ok = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
    await ok.waitForAck();
    await vi.waitFor(() => expect(clipPosts((r) => r.params['webhook_token'] === ok.token)).toHaveLength(1), { timeout: 60_000, interval: 200 });
  });
});
