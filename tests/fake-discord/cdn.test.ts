import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord/index.js';

describe("GIVEN files on the fake's CDN", () => {
  let discord: FakeDiscord;
  const data = Buffer.from('0123456789'.repeat(100));
  beforeAll(async () => {
    discord = await FakeDiscord.start();
  });
  afterAll(async () => {
    await discord.close();
  });

  it('THEN an attachment is served at its url and proxy_url, with Discord-style signed query', async () => {
    const file = discord.addAttachment({ filename: 'drive me.mp4', contentType: 'video/mp4', data, width: 256, height: 256 });
    const api = file.toAPI();
    expect(api).toMatchObject({ id: file.id, filename: 'drive me.mp4', size: 1000, content_type: 'video/mp4', width: 256, height: 256 });
    expect(api.url).toMatch(
      new RegExp(`^${discord.origin}/cdn/attachments/${discord.channel().id}/${file.id}/drive%20me\\.mp4\\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}&$`),
    );
    for (const url of [api.url, api.proxy_url]) {
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(res.headers.get('content-length')).toBe('1000');
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    }
    expect((await fetch(api.url.replace('drive%20me', 'other'))).status).toBe(404);
  });

  it('THEN URLs can name the real CDN host and be mapped back to the fake', async () => {
    const other = await FakeDiscord.start({ cdnBaseUrl: 'https://cdn.discordapp.com', mediaBaseUrl: 'https://media.discordapp.net' });
    try {
      const file = other.addAttachment({ filename: 'face.png', contentType: 'image/png', data });
      expect(file.url.startsWith('https://cdn.discordapp.com/attachments/')).toBe(true);
      expect(file.proxyUrl.startsWith('https://media.discordapp.net/attachments/')).toBe(true);
      const local = other.localCdnUrl(file.url);
      expect(local.startsWith(`${other.origin}/cdn/attachments/`)).toBe(true);
      expect(Buffer.from(await (await fetch(local)).arrayBuffer()).equals(data)).toBe(true);
      expect(other.localCdnUrl('https://example.com/x')).toBe('https://example.com/x');
    } finally {
      await other.close();
    }
  });

  it('THEN the attachment object can claim a size that is not the real one', () => {
    const file = discord.addAttachment({ filename: 'small.mp4', data, size: 10 });
    expect(file.toAPI().size).toBe(10);
  });

  it('THEN a status fault answers 404 and a redirect fault points elsewhere', async () => {
    const gone = discord.addAttachment({ filename: 'gone.mp4', data, fault: { kind: 'status', status: 404 } });
    expect((await fetch(gone.url)).status).toBe(404);
    const moved = discord.addAttachment({ filename: 'moved.mp4', data, fault: { kind: 'redirect', location: 'http://169.254.169.254/latest' } });
    const res = await fetch(moved.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://169.254.169.254/latest');
    moved.fault = undefined;
    expect((await fetch(moved.url)).status).toBe(200);
  });

  it('THEN a lying Content-Length truncates the file or cuts the connection short', async () => {
    const short = discord.addAttachment({ filename: 'short.mp4', data, fault: { kind: 'content-length', declared: 100 } });
    const res = await fetch(short.url);
    expect(res.headers.get('content-length')).toBe('100');
    expect((await res.arrayBuffer()).byteLength).toBe(100);

    const long = discord.addAttachment({ filename: 'long.mp4', data, fault: { kind: 'content-length', declared: 5000 } });
    await expect(fetch(long.url).then((r) => r.arrayBuffer())).rejects.toThrow();
  });

  it('THEN chunked and drip faults send no Content-Length, drip slowly', async () => {
    const chunked = discord.addAttachment({ filename: 'chunked.mp4', data, fault: { kind: 'chunked' } });
    const res = await fetch(chunked.url);
    expect(res.headers.get('content-length')).toBeNull();
    expect((await res.arrayBuffer()).byteLength).toBe(1000);

    const slow = discord.addAttachment({ filename: 'slow.mp4', data, fault: { kind: 'drip', chunkBytes: 250, intervalMs: 50 } });
    const began = performance.now();
    const body = Buffer.from(await (await fetch(slow.url)).arrayBuffer());
    expect(body.equals(data)).toBe(true);
    expect(performance.now() - began).toBeGreaterThanOrEqual(180);
  });

  it('THEN every download is recorded', () => {
    expect(discord.cdnRequests.length).toBeGreaterThan(5);
    expect(discord.cdnRequests[0]).toMatchObject({ method: 'GET', status: 200 });
  });
});
