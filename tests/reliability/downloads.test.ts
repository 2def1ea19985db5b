import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadAttachment, DownloadError, type DownloadPolicy } from '../../src/bot/animate/attachment-download.js';
import { FakeDiscord } from '../support/fake-discord/index.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Attachment downloads against the fake Discord's CDN, over real HTTP: only
 * allowed hosts, redirects only to them, the byte cap enforced on what is
 * received, the size Discord reported checked, and timeouts.
 */
const dir = tempDir();
let discord: FakeDiscord;
const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251));
const policy = (over: Partial<DownloadPolicy> = {}): DownloadPolicy => ({
  allowedHosts: ['127.0.0.1'],
  allowHttp: true,
  maxBytes: 1_000_000,
  timeoutMs: 10_000,
  idleTimeoutMs: 5_000,
  ...over,
});
let n = 0;
const dest = () => join(dir, `download-${n++}.bin`);

async function refusal(p: Promise<unknown>): Promise<DownloadError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DownloadError);
    return e as DownloadError;
  }
  throw new Error('expected the download to be refused');
}

beforeAll(async () => {
  discord = await FakeDiscord.start();
});
afterAll(() => discord.close());

describe('attachment downloads', () => {
  it('GIVEN a good attachment THEN the bytes and their SHA-256', async () => {
    const a = discord.addAttachment({ filename: 'a.bin', contentType: 'application/octet-stream', data });
    const path = dest();
    const got = await downloadAttachment(a.url, path, policy({ expectedBytes: data.length }));
    expect(got.bytes).toBe(data.length);
    expect(got.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('GIVEN a host that is not Discord’s CDN THEN nothing is fetched', async () => {
    const a = discord.addAttachment({ filename: 'b.bin', contentType: 'application/octet-stream', data });
    const before = discord.cdnRequests.length;
    expect((await refusal(downloadAttachment(a.url, dest(), policy({ allowedHosts: ['cdn.discordapp.com'] })))).reason).toBe('host-not-allowed');
    expect((await refusal(downloadAttachment(a.url, dest(), policy({ allowHttp: false })))).reason).toBe('host-not-allowed');
    expect((await refusal(downloadAttachment('file:///etc/passwd', dest(), policy()))).reason).toBe('host-not-allowed');
    expect(discord.cdnRequests.length).toBe(before);
  });

  it('GIVEN a redirect to another host THEN it is not followed; a redirect within the CDN is', async () => {
    const target = discord.addAttachment({ filename: 'target.bin', contentType: 'application/octet-stream', data });
    const away = discord.addAttachment({
      filename: 'away.bin',
      contentType: 'application/octet-stream',
      data,
      fault: { kind: 'redirect', location: 'http://169.254.169.254/latest/meta-data/' },
    });
    const path = dest();
    expect((await refusal(downloadAttachment(away.url, path, policy()))).reason).toBe('host-not-allowed');
    expect(existsSync(path)).toBe(false);
    const within = discord.addAttachment({
      filename: 'within.bin',
      contentType: 'application/octet-stream',
      data,
      fault: { kind: 'redirect', location: target.url },
    });
    expect((await downloadAttachment(within.url, dest(), policy())).bytes).toBe(data.length);
  });

  it('GIVEN a body larger than the cap without Content-Length THEN it is cut off while streaming and nothing is kept', async () => {
    const a = discord.addAttachment({ filename: 'c.bin', contentType: 'application/octet-stream', data, fault: { kind: 'chunked' } });
    const path = dest();
    const e = await refusal(downloadAttachment(a.url, path, policy({ maxBytes: 100_000 })));
    expect(e.reason).toBe('too-large');
    expect(existsSync(path)).toBe(false);
  });

  it('GIVEN a Content-Length over the cap THEN it is refused before reading the body', async () => {
    const a = discord.addAttachment({ filename: 'd.bin', contentType: 'application/octet-stream', data });
    expect((await refusal(downloadAttachment(a.url, dest(), policy({ maxBytes: 1000 })))).reason).toBe('too-large');
  });

  it('GIVEN a CDN that sends fewer bytes than Discord reported (a lying Content-Length) THEN the download is refused', async () => {
    const a = discord.addAttachment({ filename: 'e.bin', contentType: 'application/octet-stream', data, fault: { kind: 'content-length', declared: 1000 } });
    expect((await refusal(downloadAttachment(a.url, dest(), policy({ expectedBytes: data.length })))).reason).toBe('size-mismatch');
  });

  it('GIVEN an attachment that claims to be smaller than it is THEN the cap at the claimed size cuts it off', async () => {
    const a = discord.addAttachment({ filename: 'f.bin', contentType: 'application/octet-stream', data, size: 5000, fault: { kind: 'chunked' } });
    expect((await refusal(downloadAttachment(a.url, dest(), policy({ maxBytes: 5000, expectedBytes: 5000 })))).reason).toBe('too-large');
  });

  it('GIVEN a CDN that stalls THEN the idle timeout ends the download', async () => {
    const a = discord.addAttachment({
      filename: 'g.bin',
      contentType: 'application/octet-stream',
      data,
      fault: { kind: 'drip', chunkBytes: 100, intervalMs: 2000 },
    });
    expect((await refusal(downloadAttachment(a.url, dest(), policy({ idleTimeoutMs: 300 })))).reason).toBe('timeout');
  });

  it('GIVEN an expired URL (404) THEN an HTTP error', async () => {
    const a = discord.addAttachment({ filename: 'h.bin', contentType: 'application/octet-stream', data, fault: { kind: 'status', status: 404 } });
    expect((await refusal(downloadAttachment(a.url, dest(), policy()))).reason).toBe('http-error');
  });
});
