import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BotWorld, bodyField } from '../support/bot-world.js';
import { probe } from '../support/ffprobe.js';
import { buildHostileCorpus, CANARY } from '../support/hostile-corpus.js';

/**
 * The same hostile corpus through /animate on the fake Discord: each upload
 * is refused with one sentence or animated and delivered, the canary never
 * appears in any message or file, and the bot keeps answering.
 */
let world: BotWorld;
let corpus: Awaited<ReturnType<typeof buildHostileCorpus>>;
beforeAll(async () => {
  world = await BotWorld.create();
  corpus = await buildHostileCorpus(world.mediaDir);
  await world.startBot();
  await world.store.updateGuildSettings(world.discord.guild().id, { perUserPerHour: 100, perUserPerDay: 1000 }, 'moderator');
}, 180_000);
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

describe('hostile media through /animate', () => {
  it('GIVEN each item of the corpus as an attachment THEN a one-sentence refusal or a delivered clip, and no canary anywhere', async () => {
    const user = await world.member('fuzzer');
    const attach = (file: string, contentType: string) =>
      world.discord.addAttachment({ filename: file.split('/').pop()!, contentType, data: readFileSync(file) });
    for (const item of corpus.items) {
      const photo = item.role === 'photo' ? attach(item.file, item.contentType) : attach(corpus.photo, 'image/png');
      const video = item.role === 'video' ? attach(item.file, item.contentType) : attach(corpus.video, 'video/mp4');
      const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo, video } });
      await cmd.waitForAck();
      const where = `${item.name} as the ${item.role}`;
      if (item.refusal) {
        await vi.waitFor(() => expect(String(cmd.originalMessage()?.content ?? ''), where).toMatch(item.refusal!), { timeout: 30_000, interval: 100 });
        expect(cmd.originalMessage()?.content?.split('\n'), where).toHaveLength(1);
      } else {
        const post = await world.discord.waitForRequest(
          (r) => r.params['webhook_token'] === cmd.token && r.operationId === 'execute_webhook' && r.files.length > 0,
          { timeout: 60_000 },
        );
        const out = join(world.mediaDir, `delivered-${item.name}.mp4`);
        writeFileSync(out, post.files[0]!.data);
        expect(probe(out).video?.frames, where).toBe(item.frames);
      }
    }
    for (const r of world.discord.requests) {
      expect(JSON.stringify(r.json ?? '')).not.toContain(CANARY);
      for (const f of r.files) expect(f.data.includes(CANARY)).toBe(false);
    }
    expect(world.logLines.join('')).not.toContain(CANARY);
    // Still serving.
    const last = await world.discord.slashCommand({
      name: 'animate',
      user,
      options: { photo: attach(corpus.photo, 'image/png'), video: attach(corpus.video, 'video/mp4') },
    });
    await last.waitForAck();
    await world.discord.waitForRequest((r) => r.params['webhook_token'] === last.token && r.operationId === 'execute_webhook' && r.files.length > 0, {
      timeout: 60_000,
    });
    expect(bodyField(world.discord.requests.at(-1)!, 'content')).toBeDefined();
  });
});
