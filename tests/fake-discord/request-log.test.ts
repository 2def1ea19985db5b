import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttachmentBuilder, type TextChannel } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord/index.js';
import { tempDir } from '../support/temp-dir.js';
import { connectClient } from './connect-client.js';

describe('GIVEN FAKE_DISCORD_LOG', () => {
  it('THEN each request is one JSON line, files summarised, and the bot token appears nowhere', async () => {
    const logFile = path.join(tempDir('fake-discord-'), 'requests.jsonl');
    process.env['FAKE_DISCORD_LOG'] = logFile;
    const discord = await FakeDiscord.start();
    delete process.env['FAKE_DISCORD_LOG'];
    const client = await connectClient(discord);
    const channel = (await client.channels.fetch(discord.channel().id)) as TextChannel;
    await channel.send({ content: `token is ${discord.token}?`, files: [new AttachmentBuilder(Buffer.from('hello'), { name: 'hello.txt' })] });
    await client.destroy();
    await discord.close();

    const text = readFileSync(logFile, 'utf8');
    expect(text).not.toContain(discord.token);
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.operationId)).toEqual(['get_bot_gateway', 'create_message']);
    expect(lines[1].headers.authorization).toBeUndefined();
    expect(lines[1].json.content).toBe('token is [bot token]?');
    expect(lines[1].files).toEqual([
      {
        name: 'files[0]',
        filename: 'hello.txt',
        contentType: 'application/octet-stream',
        size: 5,
        sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      },
    ]);
  });
});
