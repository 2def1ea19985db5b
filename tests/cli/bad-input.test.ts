import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { runCli } from '../support/cli.js';
import { ffconcatScript, hlsPlaylist, pngHeaderOnly } from '../support/hostile-media.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Bad input through the real CLI: exit code 2, one clear sentence on stderr,
 * no output file left behind, and nothing read that the user did not give.
 */
const dir = tempDir();
const p = (name: string) => join(dir, name);
const CANARY = 'CANARY-7f3a91-do-not-leak';

beforeAll(async () => {
  const { ffmpeg } = resolveFfmpeg();
  await writeShapeImage(p('photo.png'), 200, 200, { cx: 0, cy: 0, angle: 0, scale: 1 });
  await writeShapeImage(p('photo.jpg'), 640, 480, { cx: 0, cy: 0, angle: 0, scale: 1 });
  await writeShapeVideo(p('video.mp4'), {
    width: 128,
    height: 128,
    fps: 10,
    frames: 20,
    audio: true,
    pose: (i) => ({ cx: i / 40, cy: 0, angle: 0, scale: 1 }),
  });
  writeFileSync(p('empty.png'), '');
  writeFileSync(p('notes.mp4'), 'These are my meeting notes, not a video.\n'.repeat(20));
  const jpeg = readFileSync(p('photo.jpg'));
  writeFileSync(p('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  execFileSync(ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=2', '-c:a', 'aac', p('audio-only.mp4')]);
  const video = readFileSync(p('video.mp4'));
  writeFileSync(p('truncated.mp4'), video.subarray(0, Math.floor(video.length / 3)));
  writeFileSync(p('canary.txt'), CANARY);
  writeFileSync(p('playlist.mp4'), hlsPlaylist(p('canary.txt')));
  writeFileSync(p('concat.mp4'), ffconcatScript(p('canary.txt')));
  writeFileSync(p('bomb.png'), pngHeaderOnly(60000, 60000));
  // A 3 s WebM whose header says 0.5 s: Matroska's Duration (ID 0x4489, an 8-byte float in milliseconds) rewritten.
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=128x128:rate=10',
    '-t',
    '3',
    '-c:v',
    'libvpx-vp9',
    '-deadline',
    'realtime',
    p('long.webm'),
  ]);
  const webm = readFileSync(p('long.webm'));
  const at = webm.indexOf(Buffer.from([0x44, 0x89, 0x88]));
  expect(webm.readDoubleBE(at + 3)).toBe(3000);
  webm.writeDoubleBE(500, at + 3);
  writeFileSync(p('lying.webm'), webm);
});

async function expectRefused(args: { source: string; driving: string }, message: RegExp, extra: string[] = []) {
  const out = p(`out-${Math.random().toString(36).slice(2)}.mp4`);
  const r = await runCli(['animate', '--source', args.source, '--driving', args.driving, '--out', out, ...extra]);
  expect(r.stderr.trim(), r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1); // one sentence, no stack trace
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  expect(existsSync(out)).toBe(false);
}

describe('marionette animate refuses bad input with exit code 2 and one sentence', () => {
  it('an empty photo', () => expectRefused({ source: p('empty.png'), driving: p('video.mp4') }, /^The photo is an empty file \(0 bytes\)\.$/));
  it('a text file named .mp4', () =>
    expectRefused({ source: p('photo.png'), driving: p('notes.mp4') }, /^The driving video is not a video Marionette can read; use MP4, MOV/));
  it('an image given as the video', () =>
    expectRefused({ source: p('photo.png'), driving: p('photo.jpg') }, /^The driving video is a still image \(JPEG\); give a video clip/));
  it('a video given as the photo', () =>
    expectRefused({ source: p('video.mp4'), driving: p('video.mp4') }, /^The photo is a video \(MP4\/MOV\); give a still image/));
  it('a video without a video stream', () =>
    expectRefused({ source: p('photo.png'), driving: p('audio-only.mp4') }, /^The driving video has only audio; give a clip with moving pictures\.$/));
  it('a corrupt (truncated) JPEG', () =>
    expectRefused({ source: p('truncated.jpg'), driving: p('video.mp4') }, /^The photo could not be decoded; it may be damaged or truncated/));
  it('a truncated MP4', () =>
    expectRefused({ source: p('photo.png'), driving: p('truncated.mp4') }, /^The driving video could not be read as a video; it may be damaged or truncated/));
  it('a missing file', () => expectRefused({ source: p('nope.png'), driving: p('video.mp4') }, /^The photo could not be found at /));
  it('an HLS playlist that points at a local file and a URL', () =>
    expectRefused(
      { source: p('photo.png'), driving: p('playlist.mp4') },
      /^The driving video is a HLS playlist, which Marionette does not open; upload the video file itself\.$/,
    ));
  it('an ffconcat list', () =>
    expectRefused({ source: p('photo.png'), driving: p('concat.mp4') }, /^The driving video is a ffconcat list, which Marionette does not open/));
  it('a PNG header claiming 60000×60000 pixels', () =>
    expectRefused({ source: p('bomb.png'), driving: p('video.mp4') }, /^The photo is 60000×60000 pixels; no side may exceed 8192 pixels\.$/));
  it('a video longer than --max-seconds', () =>
    expectRefused(
      { source: p('photo.png'), driving: p('video.mp4') },
      /^The driving video is 2 seconds long; the limit is 1 second\. Trim it and try again\.$/,
      ['--max-seconds', '1'],
    ));
  it('a WebM whose header understates its length, longer than --max-seconds (counted while decoding)', () =>
    expectRefused({ source: p('photo.png'), driving: p('lying.webm') }, /^The driving video is longer than 1 second, the limit\. Trim it and try again\.$/, [
      '--max-seconds',
      '1',
    ]));
  it('more frames than --max-frames', () =>
    expectRefused({ source: p('photo.png'), driving: p('video.mp4') }, /^The driving video has 20 frames; the limit is 10\./, ['--max-frames', '10']));
  it('an output with an unknown extension', async () => {
    const r = await runCli(['animate', '--source', p('photo.png'), '--driving', p('video.mp4'), '--out', p('x.avi')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must end in \.mp4, \.webm, \.gif or \.mkv/);
  });
  it('a missing required option', async () => {
    const r = await runCli(['animate', '--source', p('photo.png'), '--out', p('x.mp4')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--driving is required/);
  });
  it('leaves no partial files behind', () => {
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('marionette animate succeeds', () => {
  it('GIVEN good inputs THEN exit 0, a summary on stdout and the file', async () => {
    const out = p('ok.mp4');
    const r = await runCli(['animate', '--source', p('photo.jpg'), '--driving', p('video.mp4'), '--out', out, '--device', 'cpu']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Wrote .*ok\.mp4: 20 frames at 10 fps \(2\.0 s\), 256×256, .*, with audio\.\nModel "default" on cpu; relative motion from frame 0/,
    );
    expect(existsSync(out)).toBe(true);
  });
  it.skipIf(existsSync('/dev/nvidia0') || existsSync('/dev/dri'))(
    'GIVEN --device auto (the default) on a machine without a GPU THEN the summary says why each provider before the CPU was passed over',
    async () => {
      const out = p('auto.mp4');
      const r = await runCli(['animate', '--source', p('photo.jpg'), '--driving', p('video.mp4'), '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /\nModel "default" on cpu \(not cuda: the CUDA provider is not installed \(see docs\/gpu\.md\); webgpu: no GPU device [^\n]*\); relative motion/,
      );
    },
  );
  it('GIVEN --json THEN the result is printed as JSON', async () => {
    const r = await runCli([
      'animate',
      '--source',
      p('photo.png'),
      '--driving',
      p('video.mp4'),
      '--out',
      p('ok.webm'),
      '--json',
      '--no-audio',
      '--best-frame',
      'auto',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { frames: number; format: string; audio: boolean; provider: string };
    expect(result).toMatchObject({ frames: 20, format: 'webm', audio: false, provider: 'cpu' });
  });
});
