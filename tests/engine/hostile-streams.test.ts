import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { InputError } from '../../src/engine/errors.js';
import { FrameEncoder } from '../../src/engine/media/encode.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { inputArgs } from '../../src/engine/media/input-policy.js';
import { decoderPixelCap, DEFAULT_LIMITS, withLimits } from '../../src/engine/media/limits.js';
import { checkVideo } from '../../src/engine/media/media-checks.js';
import { probeMedia } from '../../src/engine/media/probe.js';
import { measureFfmpegChildren } from '../support/child-rss.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { probe } from '../support/ffprobe.js';
import { movWithPngStream, pngBomb } from '../support/hostile-media.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * ffmpeg and ffprobe decode a picture of every stream of a file while they open it, to read the streams'
 * parameters — a PNG stream whole, at the size its own header gives. So every open of a user file is capped
 * (-max_pixels, -max_streams), the container's list of streams is checked before anything is decoded, and
 * every video stream, used or not, must be within the limits. Peak memory is measured on the real processes.
 */
const dir = tempDir();
const children = measureFfmpegChildren(dir); // before anything resolves ffmpeg
/** The memory checks measure each ffmpeg/ffprobe run through python3; in CI they must run. */
const measured = !skipUnlessAvailable(children.available, "Measuring ffmpeg's memory needs python3 (tests/support/child-rss.ts).");
const p = (name: string) => join(dir, name);
/** ffprobe and ffmpeg take about 50–70 MB here to open a small file; the bombs below decode to 144 MB more. */
const PEAK_MB = 120;

const refusal = async (run: () => Promise<unknown>): Promise<InputError> => {
  try {
    await run();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('not refused');
};
const ffmpeg = (args: string[]) => execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
const opensOfUserFiles = () => children.runs().filter((r) => r.args.some((a) => a.startsWith('file:')));

beforeAll(async () => {
  await writeShapeVideo(p('good.mp4'), { width: 160, height: 160, fps: 10, frames: 10, audio: true, pose: (i) => ({ cx: i / 30, cy: 0, angle: 0, scale: 1 }) });
  // 12000×12000 grey: 140 KB on disk, 144 MB once decoded.
  const bomb = await pngBomb(12000, 12000);
  // The review's file: a normal H.264 stream and its audio, and a hidden third stream, the PNG bomb.
  movWithPngStream(p('hidden-third-stream.mov'), bomb, { base: p('good.mp4') });
  // The same, but the container says the hidden picture is 16×16 (only the PNG's own header tells).
  movWithPngStream(p('lying-third-stream.mov'), bomb, { base: p('good.mp4'), declare: false });
  // The bomb as the only stream.
  movWithPngStream(p('bomb-only.mov'), bomb);
  // Five small video streams; 33 streams in all; a normal clip with a cover picture.
  ffmpeg(['-i', p('good.mp4'), ...Array.from({ length: 5 }, () => ['-map', '0:v']).flat(), '-map', '0:a', '-c', 'copy', p('five-video-streams.mkv')]);
  ffmpeg(['-i', p('good.mp4'), '-map', '0:v', ...Array.from({ length: 32 }, () => ['-map', '0:a']).flat(), '-c', 'copy', p('33-streams.mkv')]);
  await writeShapeImage(p('cover.png'), 1200, 1200, { cx: 0, cy: 0, angle: 0, scale: 1 });
  ffmpeg(['-i', p('good.mp4'), '-i', p('cover.png'), '-map', '0', '-map', '1', '-c', 'copy', '-disposition:v:1', 'attached_pic', p('with-cover.mp4')]);
}, 120_000);

describe('every open of a user file is capped', () => {
  it('GIVEN the input arguments for either role THEN -max_pixels is the role limit with headroom, and -max_streams the stream limit', () => {
    const arg = (args: string[], name: string) => Number(args[args.indexOf(name) + 1]);
    for (const role of ['photo', 'video'] as const) {
      const args = inputArgs('/x/in', role, role === 'photo' ? 'png_pipe' : 'mov');
      const limit = role === 'photo' ? DEFAULT_LIMITS.maxPhotoPixels : DEFAULT_LIMITS.maxVideoPixels;
      expect(arg(args, '-max_pixels')).toBe(decoderPixelCap(role, DEFAULT_LIMITS));
      expect(arg(args, '-max_pixels')).toBeGreaterThanOrEqual((4096 + 256) * (4096 + 256));
      expect(arg(args, '-max_pixels')).toBeLessThan(limit * 1.3);
      expect(arg(args, '-max_streams')).toBe(DEFAULT_LIMITS.maxStreams);
      // The options come before the -i they apply to.
      expect(args.indexOf('-max_pixels')).toBeLessThan(args.indexOf('-i'));
    }
    const custom = withLimits({ maxVideoPixels: 1920 * 1080, maxSide: 1920 });
    expect(decoderPixelCap('video', custom)).toBe(1920 * 1080 + 2 * 256 * 1920 + 256 * 256);
    expect(inputArgs('/x/in', 'video', 'mov', { maxPixels: 123, maxStreams: 4 })).toEqual(expect.arrayContaining(['-max_pixels', '123', '-max_streams', '4']));
  });

  it.runIf(measured)(
    'GIVEN a MOV with H.264, audio and a hidden third stream, a 12000×12000 PNG THEN the probe refuses it by its declared size, before any ' +
      'process opens the file',
    async () => {
      children.reset();
      const e = refusal(() => probeMedia(p('hidden-third-stream.mov'), 'video', DEFAULT_LIMITS));
      await e.catch(() => undefined);
      // The MOV's boxes are listed in-process (engine/media/mp4-streams.ts): no ffprobe or ffmpeg ever reads it.
      expect(opensOfUserFiles()).toEqual([]);
      expect((await e).message).toBe(
        'The driving video holds another video stream (stream 2) of 12000×12000 pixels, over the limit of 16.8 megapixels and 8192 pixels a ' +
          'side. Export it with one video track (and its sound) and try again.',
      );
    },
  );

  it.runIf(measured)('GIVEN the hidden picture in a container that says it is 16×16 THEN the probe refuses it too, within the same memory', async () => {
    children.reset();
    const e = refusal(() => probeMedia(p('lying-third-stream.mov'), 'video', DEFAULT_LIMITS));
    await e.catch(() => undefined);
    for (const r of opensOfUserFiles()) expect(r.peakMb, r.args.join(' ')).toBeLessThan(PEAK_MB);
    expect((await e).message).toMatch(/^The driving video holds a picture of 12000×12000 pixels; the limit is 16\.8 megapixels/);
  });

  it.runIf(measured)('GIVEN the PNG bomb as the only stream THEN it is refused within the same memory', async () => {
    children.reset();
    const e = refusal(() => probeMedia(p('bomb-only.mov'), 'video', DEFAULT_LIMITS));
    await e.catch(() => undefined);
    for (const r of opensOfUserFiles()) expect(r.peakMb, r.args.join(' ')).toBeLessThan(PEAK_MB);
    expect((await e).code).toBe('video-too-large');
  });

  it.runIf(measured)(
    'GIVEN the encoder takes its audio from a file with a hidden picture bomb THEN it maps that audio only, and its ffmpeg never allocates for the picture',
    async () => {
      // Past the probe (which refuses this file), the encoder's own open of the driving file is capped as well.
      children.reset();
      const out = p('from-hidden.mkv');
      const encoder = FrameEncoder.start({
        output: out,
        format: 'mkv',
        size: { width: 64, height: 64 },
        fps: { num: 10, den: 1 },
        audio: { path: p('hidden-third-stream.mov'), demuxer: 'mov', durationSeconds: 1, channels: 1 },
        tags: {},
      });
      for (let i = 0; i < 10; i++) await encoder.write(new Uint8Array(64 * 64 * 3).fill(i * 20), 1);
      await encoder.finish();
      const [run] = opensOfUserFiles();
      expect(run?.tool).toBe('ffmpeg');
      expect(run!.peakMb, run!.args.join(' ')).toBeLessThan(PEAK_MB); // about 190 MB without the cap
      expect(run!.args).toContain('-max_pixels');
      expect(run!.args.filter((_, i) => run!.args[i - 1] === '-map')).toEqual(['0:v:0', '1:a:0?']);
      const made = probe(out);
      expect(made.video?.frames).toBe(10);
      expect(made.audio?.codec).toBe('flac');
    },
  );
});

describe('what a driving video may hold', () => {
  it('GIVEN five video streams THEN refused before anything is decoded, in one sentence', async () => {
    children.reset();
    const e = await refusal(() => probeMedia(p('five-video-streams.mkv'), 'video', DEFAULT_LIMITS));
    expect(e.code).toBe('too-many-streams');
    expect(e.message).toBe(
      'The driving video holds 5 video streams (cover pictures count); Marionette reads files with at most 4. Export it with one video ' +
        'track (and its sound) and try again.',
    );
    if (children.available) {
      // Only the container's list was read: no run that decodes (every ffprobe has -nofind_stream_info).
      for (const r of opensOfUserFiles()) expect(r.args).toContain('-nofind_stream_info');
    }
  });

  it('GIVEN 33 streams THEN refused', async () => {
    const e = await refusal(() => probeMedia(p('33-streams.mkv'), 'video', DEFAULT_LIMITS));
    expect(e.message).toBe(
      'The driving video holds 33 streams (tracks); Marionette reads files with at most 32. Export it with one video track (and its sound) and try again.',
    );
  });

  it(
    'GIVEN a normal clip with a cover picture THEN accepted: the cover is within the limits, and the clip is the first stream ' + 'that is not a cover',
    async () => {
      const info = await probeMedia(p('with-cover.mp4'), 'video', DEFAULT_LIMITS);
      expect(info.streams?.filter((s) => s.type === 'video')).toHaveLength(2);
      expect(checkVideo(info, DEFAULT_LIMITS).stream).toMatchObject({ width: 160, height: 160, codec: 'h264' });
    },
  );

  it('GIVEN an extra video stream over the limits (but under the decoder cap) THEN refused by name, the used stream is not', async () => {
    const limits = withLimits({ maxVideoPixels: 1_000_000 }); // the cover (1200×1200) is over, the clip (160×160) under
    const e = await refusal(() => probeMedia(p('with-cover.mp4'), 'video', limits));
    expect(e.code).toBe('video-too-large');
    expect(e.message).toMatch(
      /^The driving video holds a cover picture \(stream 2\) of 1200×1200 pixels, over the limit of 1 megapixels and 8192 pixels a side\./,
    );
  });
});

describe('user-visible messages hold no server paths', () => {
  it('GIVEN a missing photo or a folder as the video THEN the message names no path; the context keeps it (for logs)', async () => {
    const missing = p('nowhere/photo.png');
    const e = await refusal(() => probeMedia(missing, 'photo', DEFAULT_LIMITS));
    expect(e.code).toBe('file-missing');
    expect(e.message).toBe('The photo could not be found at the path given; check it and try again.');
    expect(e.context['path']).toBe(missing);
    const folder = await refusal(() => probeMedia(dir, 'video', DEFAULT_LIMITS));
    expect(folder.message).toBe('The driving video is not a file (it is a folder or a device); give the video file itself.');
    expect(folder.message).not.toContain(dir);
    expect(folder.context['path']).toBe(dir);
  });

  it('GIVEN a damaged file THEN no path in the message either', async () => {
    writeFileSync(p('cut.mp4'), readFileSync(p('good.mp4')).subarray(0, 2000));
    const e = await refusal(() => probeMedia(p('cut.mp4'), 'video', DEFAULT_LIMITS));
    expect(e.message).not.toContain(dir);
  });
});
