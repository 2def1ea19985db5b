import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { FrameEncoder, readFramesRgb } from '../../src/engine/media/encode.js';
import { placeLabel } from '../../src/engine/media/label/label.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { Engine } from '../../src/engine/index.js';
import { probe } from '../support/ffprobe.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir();
const engine = new Engine({ device: 'cpu' });
afterAll(() => engine.dispose());
const photo = join(dir, 'photo.jpg');
const driving = join(dir, 'driving.mp4');
const FRAMES = 30;

beforeAll(async () => {
  await writeShapeImage(photo, 400, 300, { cx: 0, cy: 0, angle: 0.2, scale: 0.8 });
  // 29.97 fps with a tone: output must keep the exact rate, the frame count and the audio.
  await writeShapeVideo(driving, {
    width: 320,
    height: 240,
    fps: 30000 / 1001,
    frames: FRAMES,
    audio: true,
    pose: (i) => ({ cx: 0.2 * Math.sin(i / 5), cy: 0, angle: i * 0.05, scale: 1 }),
  });
});

/** An MP4 driving video of `videoSeconds` at 10 fps with a tone of `audioSeconds`. */
function drivingMp4(name: string, videoSeconds: number, audioSeconds: number): string {
  const path = join(dir, name);
  execFileSync(resolveFfmpeg().ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-t',
    String(videoSeconds),
    '-i',
    'testsrc2=size=128x128:rate=10',
    '-f',
    'lavfi',
    '-t',
    String(audioSeconds),
    '-i',
    'sine=frequency=300',
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-c:v',
    'libx264',
    '-c:a',
    'aac',
    path,
  ]);
  return path;
}

describe('output formats', () => {
  it.each([
    ['mp4', 'h264', 'aac', 'yuv420p'],
    ['webm', 'vp9', 'opus', 'yuv420p'],
    ['mkv', 'ffv1', 'flac', 'bgr0'],
  ])('GIVEN .%s THEN codec %s + %s, same frame count and rate as the driving video, audio kept, provenance tagged', async (ext, vcodec, acodec, pixFmt) => {
    const output = join(dir, `out.${ext}`);
    const result = await engine.animate({ source: photo, driving, output });
    expect(result.frames).toBe(FRAMES);
    expect(result.audio).toBe(true);
    const p = probe(output);
    expect(p.video).toMatchObject({ codec: vcodec, width: 256, height: 256, frames: FRAMES, rate: '30000/1001', pixFmt });
    expect(p.audio?.codec).toBe(acodec);
    expect(p.formatTags['comment']).toMatch(/^AI-generated with Marionette .* model "default"/);
    expect(p.formatTags['ai_generated']).toBe('true');
    expect(p.formatTags['ai_model']).toBe('default');
  });

  it('GIVEN .mp4 THEN the moov atom comes before the media data (faststart: plays while downloading)', async () => {
    const data = await readFile(join(dir, 'out.mp4'));
    expect(data.indexOf('moov')).toBeGreaterThan(0);
    expect(data.indexOf('moov')).toBeLessThan(data.indexOf('mdat'));
  });

  it('GIVEN .gif THEN frames are kept, there is no audio, and the GIF carries the AI-generated comment', async () => {
    const output = join(dir, 'out.gif');
    const result = await engine.animate({ source: photo, driving, output });
    expect(result.audio).toBe(false);
    const p = probe(output);
    expect(p.video).toMatchObject({ codec: 'gif', frames: FRAMES });
    expect(p.audio).toBeNull();
    const data = await readFile(output);
    expect(data.includes(Buffer.from('AI-generated with Marionette'))).toBe(true);
  });

  it('GIVEN a driving video whose audio outlasts its pictures THEN the clip ends with the last frame, audio cut there', async () => {
    // 1 s of video (10 frames) and 3 s of tone: the clip must not hold its last frame for two more seconds.
    const longAudio = drivingMp4('long-audio.mp4', 1, 3);
    const output = join(dir, 'long-audio-out.mp4');
    const result = await engine.animate({ source: photo, driving: longAudio, output });
    expect(result.frames).toBe(10);
    const p = probe(output);
    expect(p.audio?.seconds).toBeLessThan(1.1);
    expect(p.seconds).toBeLessThan(1.1);
  });

  it('GIVEN a WebM whose header has no duration and whose audio runs 3 s past its 1 s of pictures THEN the audio is cut at the last frame', async () => {
    // Written to a pipe, as browsers and recorders stream it: no duration, and Matroska counts no frames.
    const streamed = join(dir, 'streamed.webm');
    const webm = execFileSync(
      resolveFfmpeg().ffmpeg,
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-t',
        '1',
        '-i',
        'testsrc2=size=128x128:rate=10',
        '-f',
        'lavfi',
        '-t',
        '4',
        '-i',
        'sine=frequency=300',
        '-map',
        '0:v',
        '-map',
        '1:a',
        '-c:v',
        'libvpx-vp9',
        '-deadline',
        'realtime',
        '-c:a',
        'libopus',
        '-f',
        'webm',
        'pipe:1',
      ],
      { maxBuffer: 64 << 20 },
    );
    await writeFile(streamed, webm);
    for (const ext of ['mp4', 'webm']) {
      const output = join(dir, `streamed-out.${ext}`);
      const result = await engine.animate({ source: photo, driving: streamed, output });
      expect(result.frames).toBe(10);
      const p = probe(output);
      expect(p.audio, ext).not.toBeNull();
      // The container's duration is its longest stream's (WebM keeps no duration per stream).
      expect(p.seconds, ext).toBeLessThan(1.1);
    }
  });

  it('GIVEN audio that ends before the pictures THEN every frame is kept and the audio is padded with silence to the end', async () => {
    const shortAudio = drivingMp4('short-audio.mp4', 2, 0.5);
    const output = join(dir, 'short-audio-out.mp4');
    const result = await engine.animate({ source: photo, driving: shortAudio, output });
    expect(result.frames).toBe(20);
    const p = probe(output);
    expect(p.video?.frames).toBe(20);
    expect(p.audio!.seconds).toBeGreaterThan(1.9);
    expect(p.audio!.seconds).toBeLessThan(2.1);
  });

  it('GIVEN a driving video with 12 audio channels THEN the clip has its first two, in stereo', async () => {
    // ffmpeg's AAC encoder refuses a 12-channel layout, and cannot downmix it unaided.
    const wide = join(dir, 'wide-audio.mkv');
    const tones = Array.from({ length: 12 }, (_, i) => ['-f', 'lavfi', '-t', '1', '-i', `sine=frequency=${200 + 50 * i}`]).flat();
    execFileSync(resolveFfmpeg().ffmpeg, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-t',
      '1',
      '-i',
      'testsrc2=size=128x128:rate=10',
      ...tones,
      '-filter_complex',
      `${Array.from({ length: 12 }, (_, i) => `[${i + 1}:a]`).join('')}amerge=inputs=12[a]`,
      '-map',
      '0:v',
      '-map',
      '[a]',
      '-c:v',
      'libx264',
      '-c:a',
      'pcm_s16le',
      wide,
    ]);
    for (const ext of ['mp4', 'webm']) {
      const output = join(dir, `wide-audio-out.${ext}`);
      const result = await engine.animate({ source: photo, driving: wide, output });
      expect(result.audio).toBe(true);
      const channels = execFileSync(resolveFfmpeg().ffprobe, [
        '-v',
        'error',
        '-select_streams',
        'a:0',
        '-show_entries',
        'stream=channels',
        '-of',
        'csv=p=0',
        output,
      ])
        .toString()
        .trim();
      expect(channels, ext).toBe('2');
    }
  });

  it('GIVEN --no-audio THEN the output has no audio stream', async () => {
    const output = join(dir, 'silent.mp4');
    const result = await engine.animate({ source: photo, driving, output, audio: false });
    expect(result.audio).toBe(false);
    expect(probe(output).audio).toBeNull();
  });

  it('GIVEN the default THEN the visible label is burned into every frame; label:false leaves it out', async () => {
    const labelled = join(dir, 'labelled.mkv');
    const plain = join(dir, 'plain.mkv');
    await engine.animate({ source: photo, driving, output: labelled, audio: false });
    await engine.animate({ source: photo, driving, output: plain, audio: false, label: false });
    const a = await readFramesRgb(labelled);
    const b = await readFramesRgb(plain);
    const { x, y, raster } = placeLabel(256, 256);
    const frameBytes = 256 * 256 * 3;
    for (let f = 0; f < FRAMES; f++) {
      let inside = 0;
      let outside = 0;
      for (let py = 0; py < 256; py++) {
        for (let px = 0; px < 256; px++) {
          const o = f * frameBytes + (py * 256 + px) * 3;
          const differs = a[o] !== b[o] || a[o + 1] !== b[o + 1] || a[o + 2] !== b[o + 2];
          const inLabel = px >= x && px < x + raster.width && py >= y && py < y + raster.height;
          if (differs && inLabel) inside++;
          if (differs && !inLabel) outside++;
        }
      }
      expect(outside, `frame ${f}: pixels changed outside the label`).toBe(0);
      expect(inside, `frame ${f}: label pixels`).toBeGreaterThan(raster.width * raster.height * 0.5);
    }
  });

  it('GIVEN .gif and a photo of one flat colour THEN the label is still there (the palette has its colours)', async () => {
    const flat = join(dir, 'flat.png');
    execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x4080c0:size=320x320', '-frames:v', '1', flat]);
    const output = join(dir, 'flat.gif');
    await engine.animate({ source: flat, driving, output });
    const frames = await readFramesRgb(output);
    const { x, y, raster } = placeLabel(256, 256);
    const frameBytes = 256 * 256 * 3;
    for (const f of [0, FRAMES - 1]) {
      let white = 0;
      let dark = 0;
      for (let py = y; py < y + raster.height; py++) {
        for (let px = x; px < x + raster.width; px++) {
          const o = f * frameBytes + (py * 256 + px) * 3;
          const [r, g, b] = [frames[o]!, frames[o + 1]!, frames[o + 2]!];
          if (r > 200 && g > 200 && b > 200) white++;
          if (r < 60 && g < 60 && b < 90) dark++;
        }
      }
      expect(white, `frame ${f}: white text pixels`).toBeGreaterThan(raster.width * raster.height * 0.05);
      expect(dark, `frame ${f}: outline and box pixels`).toBeGreaterThan(raster.width * raster.height * 0.05);
    }
  });

  it('GIVEN the encoder ffmpeg dies between batches THEN the next write fails at once, saying how it ended, and abort leaves no partial file', async () => {
    const output = join(dir, 'killed.mkv');
    const frame = 256 * 256 * 3;
    const batch = Buffer.alloc(4 * frame, 128); // bigger than the pipe's buffer: write() waits for 'drain'
    const encoder = FrameEncoder.start({ output, format: 'mkv', size: { width: 256, height: 256 }, fps: { num: 25, den: 1 }, audio: null, tags: {} });
    await encoder.write(batch, 4);
    execFileSync('pkill', ['-KILL', '-f', encoder.tempPath]); // as the OOM killer would, while the worker generates
    await new Promise((r) => setTimeout(r, 300));
    await expect(encoder.write(batch, 4)).rejects.toThrow(/^The video encoder \(ffmpeg\) stopped while taking frames \(killed by SIGKILL\)/);
    await encoder.abort();
    expect(existsSync(encoder.tempPath)).toBe(false);
    expect(existsSync(output)).toBe(false);
  });

  it('GIVEN .mkv THEN frames round-trip exactly (lossless FFV1 RGB)', async () => {
    const output = join(dir, 'roundtrip.mkv');
    const frames = Buffer.alloc(5 * 64 * 48 * 3);
    for (let i = 0; i < frames.length; i++) frames[i] = (i * 7919) % 256; // noise: any loss would show
    const encoder = FrameEncoder.start({ output, format: 'mkv', size: { width: 64, height: 48 }, fps: { num: 25, den: 1 }, audio: null, tags: {} });
    await encoder.write(frames.subarray(0, 2 * 64 * 48 * 3), 2);
    await encoder.write(frames.subarray(2 * 64 * 48 * 3), 3);
    await encoder.finish();
    expect((await readFramesRgb(output)).equals(frames)).toBe(true);
  });

  it('GIVEN an unknown extension THEN it is refused before any work', async () => {
    await expect(engine.animate({ source: photo, driving, output: join(dir, 'out.avi') })).rejects.toThrow(/must end in \.mp4, \.webm, \.gif or \.mkv/);
  });
});
