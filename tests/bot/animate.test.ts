import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DISCLAIMER } from '../../src/bot/messages.js';
import { probe } from '../support/ffprobe.js';
import { BotWorld, bodyField } from '../support/bot-world.js';

/**
 * /animate end to end: the real bot (discord.js, store, engine worker) against
 * the fake Discord. Every REST call the bot makes is checked against Discord's
 * OpenAPI description.
 */
let world: BotWorld;
beforeAll(async () => {
  world = await BotWorld.create();
  await world.startBot();
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

describe('/animate', () => {
  it('GIVEN a photo and a short video THEN defer, queue position, progress, and a follow-up mp4 carrying the disclaimer and the AI-generated tag', async () => {
    const user = world.member('alice');
    const photo = await world.photo();
    const video = await world.video('clip.mp4', 20, 10);
    const interaction = await world.discord.slashCommand({ name: 'animate', user, options: { photo, video } });
    const ack = await interaction.waitForAck();
    expect(ack.type).toBe(5); // deferred
    const followUp = await world.discord.waitForRequest((r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === interaction.token && r.files.length > 0, { timeout: 60_000 });
    expect(bodyField(followUp, 'content')).toContain(DISCLAIMER);
    const file = followUp.files[0]!;
    expect(file.filename).toMatch(/\.mp4$/);
    const out = join(world.mediaDir, 'delivered.mp4');
    writeFileSync(out, file.data);
    const p = probe(out);
    expect(p.video).toMatchObject({ codec: 'h264', frames: 20, rate: '10/1' });
    expect(p.audio?.codec).toBe('aac');
    expect(p.formatTags['ai_generated']).toBe('true');

    const edits = world.discord.requests.filter((r) => r.operationId === 'update_original_webhook_message' && r.params['webhook_token'] === interaction.token);
    const texts = edits.map((r) => String(bodyField(r, 'content') ?? ''));
    expect(texts.some((t) => /queued|next in line/.test(t))).toBe(true);
    expect(texts.some((t) => /^Animating…/.test(t))).toBe(true);
    expect(texts.some((t) => /^Done/.test(t))).toBe(true);
    await vi.waitFor(() => expect(world.store.history(user.id).items[0]).toMatchObject({ state: 'succeeded', delivery: 'interaction' }));
  });
});
