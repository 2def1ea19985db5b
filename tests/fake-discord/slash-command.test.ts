import { createHash } from 'node:crypto';
import { AttachmentBuilder, Events, InteractionResponseType, MessageFlags } from 'discord.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { useConnectedClient } from './connect-client.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('GIVEN a bot that defers, edits its reply and follows up with a file', () => {
  const env = useConnectedClient();
  const clip = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));

  beforeEach(() => {
    env.client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand() || interaction.commandName !== 'animate') return;
      await interaction.deferReply();
      await interaction.editReply('Working on it…');
      const photo = interaction.options.getAttachment('photo', true);
      const photoBytes = Buffer.from(await (await fetch(photo.url)).arrayBuffer());
      await interaction.followUp({
        content: `Photo ${photo.name} had ${photoBytes.length} bytes; limit ${interaction.attachmentSizeLimit}`,
        files: [new AttachmentBuilder(clip, { name: 'clip.mp4' })],
      });
    });
  });

  it('WHEN /animate runs THEN the fake records valid calls and the file arrives intact', async () => {
    const { discord } = env;
    const photo = discord.addAttachment({ filename: 'face.png', contentType: 'image/png', data: Buffer.from('not really a png') });
    const interaction = await discord.slashCommand({ name: 'animate', options: { photo } });

    const ack = await interaction.waitForAck();
    expect(ack.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(ack.latencyMs).toBeLessThan(1000);

    const followUp = await discord.waitForRequest((r) => r.operationId === 'execute_webhook');
    expect(followUp.query).toEqual({ wait: 'true' });
    expect(followUp.status).toBe(200);
    expect(followUp.files).toHaveLength(1);
    expect(followUp.files[0]?.filename).toBe('clip.mp4');
    expect(sha256(followUp.files[0]?.data as Buffer)).toBe(sha256(clip));
    expect(followUp.json).toMatchObject({ content: 'Photo face.png had 16 bytes; limit 10485760', attachments: [{ id: '0' }] });

    expect(discord.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      'GET /gateway/bot 200',
      'POST /interactions/{interaction_id}/{interaction_token}/callback 204',
      'PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original 200',
      'POST /webhooks/{webhook_id}/{webhook_token} 200',
    ]);
    expect(discord.cdnRequests.map((r) => [r.attachmentId, r.status])).toEqual([[photo.id, 200]]);

    const original = interaction.originalMessage();
    expect(original?.content).toBe('Working on it…');
    expect((original?.flags ?? 0) & MessageFlags.Loading).toBe(0);
    const [sent] = interaction.followUps();
    expect(sent?.attachments[0]?.filename).toBe('clip.mp4');
    expect(sha256(discord.attachmentData(sent?.attachments[0]?.url as string))).toBe(sha256(clip));
    const downloaded = Buffer.from(await (await fetch(sent?.attachments[0]?.url as string)).arrayBuffer());
    expect(sha256(downloaded)).toBe(sha256(clip));
    discord.assertNoViolations();
  });
});
