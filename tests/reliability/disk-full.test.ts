import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { REPO_ROOT } from '../support/cli.js';
import { BotWorld } from '../support/bot-world.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A full disk, for real: the bot runs in its own mount namespace with its data
 * folder on a 4 MB tmpfs (`unshare -rm`, no root needed where user namespaces
 * are allowed), and its free-space check off, so an upload that does not fit
 * really hits ENOSPC while downloading: it is refused with a sentence, the
 * partial file is gone, and the bot goes on serving.
 */
function canUseSmallFilesystem(): boolean {
  try {
    execFileSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && trap \'rmdir "$d"\' EXIT && mount -t tmpfs -o size=1m tmpfs "$d" && umount "$d"'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

const supported = !skipUnlessAvailable(
  canUseSmallFilesystem(),
  '`unshare -rm` cannot mount a tmpfs here (user namespaces are off or refused: see kernel.unprivileged_userns_clone and ' +
    "user.max_user_namespaces, or the container's seccomp profile), so the full-disk tests cannot run.",
);
let world: BotWorld;
let child: ReturnType<typeof spawn> | null = null;

beforeAll(async () => {
  if (!supported) return;
  world = await BotWorld.create();
  const env = { ...process.env, ...world.env(), MARIONETTE_MIN_FREE_DISK_MB: '0' };
  child = spawn(
    'unshare',
    [
      '-rm',
      'sh',
      '-c',
      `mount -t tmpfs -o size=4m tmpfs "$MARIONETTE_DATA_DIR" && exec "${process.execPath}" "${join(REPO_ROOT, 'dist', 'src', 'bot', 'main.js')}"`,
    ],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  await world.discord.waitForReady({ timeout: 30_000 });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await world?.close();
});
afterEach(() => world?.discord.assertNoViolations());

describe.skipIf(!supported)('a full disk', () => {
  it('GIVEN an upload larger than the free space THEN a clear refusal, and the bot keeps serving', async () => {
    const user = world.discord.addUser({ username: 'hoarder' });
    // Consent through the real buttons (the database is inside the bot's namespace).
    const photo = await world.photo();
    const first = await world.discord.slashCommand({ name: 'animate', user, options: { photo, video: await world.video() } });
    await first.waitForAck();
    await vi.waitFor(() => expect(first.originalMessage()?.components?.length).toBe(1), { timeout: 20_000 });
    const accept = await world.discord.clickButton({ message: first.originalMessage()!, customId: `consent:accept:${first.id}:${user.id}`, user });
    await accept.waitForAck();
    await world.discord.waitForRequest((r) => r.params['webhook_token'] === first.token && r.operationId === 'execute_webhook' && r.files.length > 0, {
      timeout: 60_000,
    });

    // A 6 MB video (random noise does not compress) cannot fit on a 4 MB disk.
    const big = join(world.mediaDir, 'noise.mkv');
    execFileSync(resolveFfmpeg().ffmpeg, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'nullsrc=s=320x240:r=10,geq=random(1)*255:128:128',
      '-frames:v',
      '60',
      '-c:v',
      'ffv1',
      big,
    ]);
    const video = world.discord.addAttachment({ filename: 'noise.mkv', contentType: 'video/x-matroska', data: readFileSync(big) });
    expect(video.data.length).toBeGreaterThan(4 * 1024 * 1024);
    const full = await world.discord.slashCommand({ name: 'animate', user, options: { photo, video } });
    await full.waitForAck();
    await vi.waitFor(
      () =>
        expect(full.originalMessage()?.content).toBe("Marionette is short of disk space right now, so it can't take new animations. Please try again later."),
      { timeout: 30_000 },
    );

    const after = await world.discord.slashCommand({ name: 'animate', user, options: { photo, video: await world.video() } });
    await after.waitForAck();
    await world.discord.waitForRequest((r) => r.params['webhook_token'] === after.token && r.operationId === 'execute_webhook' && r.files.length > 0, {
      timeout: 60_000,
    });
  });
});

describe.skipIf(!supported)('a disk that fills during a download', () => {
  it('GIVEN a body that trickles in while the disk fills THEN the download fails as disk-full, promptly, leaving no file', async () => {
    // Small chunks, each written before the next arrives: the write that fails does so after it was accepted,
    // which a hand-rolled drain wait never noticed (the download hung until the bot was restarted).
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const tick = setInterval(() => {
        if (res.destroyed || sent >= 512) {
          clearInterval(tick);
          res.end();
          return;
        }
        res.write(Buffer.alloc(4096, 7));
        sent++;
      }, 3);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4`;
    const module = pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'bot', 'animate', 'attachment-download.js')).href;
    const script = [
      `const { downloadAttachment } = await import(${JSON.stringify(module)});`,
      `const { existsSync } = await import('node:fs');`,
      `const dest = process.env.DEST + '/video.mp4';`,
      `try { await downloadAttachment(${JSON.stringify(url)}, dest, { allowedHosts: ['127.0.0.1'], allowHttp: true, maxBytes: ` +
        `1e7, timeoutMs: 120000, idleTimeoutMs: 60000 }); console.log('saved'); }`,
      `catch (e) { console.log(e.reason, existsSync(dest) ? 'file left' : 'no file'); }`,
    ].join('\n');
    try {
      // Asynchronously: the server above runs in this process.
      // The mount point is this test's folder (removed when it ends); the tmpfs goes with the namespace.
      const { stdout } = await promisify(execFile)(
        'unshare',
        ['-rm', 'sh', '-c', `mount -t tmpfs -o size=1m tmpfs "$DEST" && exec "${process.execPath}" --input-type=module -e "$0"`, script],
        {
          timeout: 20_000,
          encoding: 'utf8',
          env: { ...process.env, DEST: tempDir('disk-full-') },
        },
      );
      expect(stdout.trim()).toBe('disk-full no file');
    } finally {
      server.close();
    }
  }, 30_000);
});
