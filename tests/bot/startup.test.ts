import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotWorld, realisticToken } from '../support/bot-world.js';
import { runBotEntry } from '../support/bot-entry.js';

/**
 * `npm start` against the fake Discord when a setting is well-formed but wrong:
 * each stops at start-up with one sentence naming the variable and exit code 78
 * (EX_CONFIG, which a supervisor can treat as "do not restart"), never the token.
 */
let world: BotWorld;
beforeAll(async () => {
  world = await BotWorld.create();
});
afterAll(() => world.close());

describe('npm start with a setting Discord or the disk contradicts', () => {
  it('GIVEN a token Discord refuses THEN exit 78 naming DISCORD_TOKEN, without printing it', async () => {
    const wrong = realisticToken('123456789012345678');
    const r = await runBotEntry('main.js', { ...world.env(), DISCORD_TOKEN: wrong });
    expect(r.out).toMatch(/^marionette: DISCORD_TOKEN was refused by Discord/m);
    expect(r.code).toBe(78);
    expect(r.out).not.toContain(wrong);
  });

  it("GIVEN another application's id as DISCORD_CLIENT_ID THEN exit 78 naming the right one (every status edit would fail otherwise)", async () => {
    const r = await runBotEntry('main.js', { ...world.env(), DISCORD_CLIENT_ID: '123456789012345678' });
    expect(r.out).toContain(
      `marionette: DISCORD_CLIENT_ID is 123456789012345678, but the token belongs to application ${world.discord.applicationId}; ` +
        `set DISCORD_CLIENT_ID to ${world.discord.applicationId}`,
    );
    expect(r.code).toBe(78);
    expect(r.out).not.toContain(world.discord.token);
  });

  it('GIVEN MARIONETTE_DEFAULT_MODEL naming no installed model THEN exit 78 listing the installed ones (no silent fallback to another)', async () => {
    const r = await runBotEntry('main.js', { ...world.env(), MARIONETTE_DEFAULT_MODEL: 'vox' });
    expect(r.out).toMatch(/^marionette: MARIONETTE_DEFAULT_MODEL is "vox", but .+ has no model of that name; set it to one of: default\.$/m);
    expect(r.code).toBe(78);
  });

  it(
    'GIVEN MARIONETTE_DEVICE=cuda where the CUDA provider is not installed THEN exit 78 naming the setting and why, instead of ' + 'failing every job',
    async () => {
      const r = await runBotEntry('main.js', { ...world.env(), MARIONETTE_DEVICE: 'cuda' });
      expect(r.out).toMatch(/^marionette: MARIONETTE_DEVICE is cuda, but it cannot be used here \(cuda: .+\); set it to auto \(or cpu\)/m);
      expect(r.code).toBe(78);
      const sentence = r.out.split('\n').find((l) => l.startsWith('marionette: '))!;
      expect(sentence).not.toMatch(/\/(work|tmp|root|home)\//); // no server paths in the sentence
    },
  );

  it('GIVEN a models folder without a model THEN exit 78 naming MARIONETTE_MODELS_DIR before connecting', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'marionette-no-models-'));
    try {
      const logins = world.discord.requests.length;
      const r = await runBotEntry('main.js', { ...world.env(), MARIONETTE_MODELS_DIR: empty });
      expect(r.out).toMatch(/^marionette: MARIONETTE_MODELS_DIR \(.+\) holds no model;/m);
      expect(r.code).toBe(78);
      expect(world.discord.requests.length).toBe(logins);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('operator settings that reach the store', () => {
  it('GIVEN MARIONETTE_GUILD_STORAGE_MB THEN the store holds each server to that many bytes, and a full server is refused before any download', async () => {
    const own = await BotWorld.create({ env: { MARIONETTE_GUILD_STORAGE_MB: '1' } });
    try {
      await own.startBot();
      expect(own.store.config.guildStorageBytes).toBe(1024 * 1024);
      const user = await own.member();
      const guild = own.discord.guild();
      // A job whose kept files fill the allowance exactly (the store trusts the byte counts it is given).
      await own.store.setConsent(user.id, 'accepted');
      const id = own.store.newJobId();
      mkdirSync(own.store.jobDirectory(id), { recursive: true });
      const file = join(own.store.jobDirectory(id), 'photo.png');
      writeFileSync(file, 'x');
      const sha = '0'.repeat(64);
      const half = 512 * 1024;
      const filling = await own.store.enqueue({
        id,
        userId: user.id,
        guildId: guild.id,
        channelId: guild.channels[0]!.id,
        model: 'default',
        source: { path: file, sha256: sha, bytes: half },
        driving: { path: file, sha256: sha, bytes: half, seconds: 1 },
      });
      expect(filling.ok).toBe(true);
      const cdnBefore = own.discord.cdnRequests.length;
      const cmd = await own.discord.slashCommand({
        name: 'animate',
        user: await own.member(),
        options: { photo: await own.photo(), video: await own.video() },
      });
      const ack = await cmd.waitForAck();
      expect(ack.type).toBe(4);
      expect(cmd.originalMessage()?.content).toMatch(/^This server has filled its 1 MB of storage on this bot\./);
      expect(own.discord.cdnRequests.length).toBe(cdnBefore);
    } finally {
      await own.close();
    }
  });
});
