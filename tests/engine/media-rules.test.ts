import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/engine/errors.js';
import { centredCrop } from '../../src/engine/media/crop.js';
import { frameCap } from '../../src/engine/media/decode.js';
import { readImageHeader } from '../../src/engine/media/image-header.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { checkPhoto, checkVideo } from '../../src/engine/media/media-checks.js';
import { parseProbeJson } from '../../src/engine/media/probe.js';
import { sniffMedia } from '../../src/engine/media/sniff.js';
import { pngHeaderOnly } from '../support/hostile-media.js';

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'binary') : Buffer.from(p))));

describe('sniffMedia', () => {
  it.each([
    [bytes([0xff, 0xd8, 0xff, 0xe0]), 'image', 'jpeg_pipe'],
    [bytes([0x89], 'PNG\r\n\x1a\n'), 'image', 'png_pipe'],
    [bytes('RIFF\0\0\0\0WEBPVP8 '), 'image', 'webp_pipe'],
    [bytes('GIF89a'), 'image-or-video', 'gif'],
    [bytes('\0\0\0\x18ftypisom'), 'video', 'mov'],
    [bytes([0x1a, 0x45, 0xdf, 0xa3]), 'video', 'matroska'],
    [bytes('RIFF\0\0\0\0AVI LIST'), 'video', 'avi'],
  ])('GIVEN magic bytes THEN kind and demuxer (%#)', (head, kind, demuxer) => {
    expect(sniffMedia(head)).toMatchObject({ kind, demuxer });
  });
  it.each([['#EXTM3U\n#EXT-X-VERSION:3'], ['\uFEFF#EXTM3U'], ['ffconcat version 1.0\nfile a.mp4']])('GIVEN a playlist THEN it is never opened', (text) => {
    expect(sniffMedia(Buffer.from(text))).toMatchObject({ kind: 'playlist', demuxer: null });
  });
  it('GIVEN text THEN unknown', () => expect(sniffMedia(Buffer.from('hello world'))).toMatchObject({ kind: 'unknown', demuxer: null }));
});

describe('readImageHeader', () => {
  it('reads PNG, GIF and BMP headers', () => {
    expect(readImageHeader(pngHeaderOnly(60000, 123))).toEqual({ kind: 'size', format: 'PNG', width: 60000, height: 123 });
    expect(readImageHeader(bytes('GIF89a', [0x40, 0x01, 0xf0, 0x00]))).toEqual({ kind: 'size', format: 'GIF', width: 320, height: 240 });
    const bmp = Buffer.alloc(26);
    bmp.write('BM', 0, 'binary');
    bmp.writeUInt32LE(40, 14); // BITMAPINFOHEADER (the info header's length says which layout follows)
    bmp.writeInt32LE(640, 18);
    bmp.writeInt32LE(-480, 22); // top-down BMP
    expect(readImageHeader(bmp)).toEqual({ kind: 'size', format: 'BMP', width: 640, height: 480 });
  });
  it('reads a JPEG SOF0 after other segments', () => {
    const app0 = [0xff, 0xe0, 0x00, 0x04, 0x00, 0x00];
    const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(readImageHeader(bytes([0xff, 0xd8], app0, sof0))).toEqual({ kind: 'size', format: 'JPEG', width: 640, height: 480 });
  });
  it('says unknown for what it does not understand', () => expect(readImageHeader(Buffer.from('nothing'))).toEqual({ kind: 'unknown' }));
});

describe('centredCrop', () => {
  it('GIVEN a landscape frame THEN the centred square', () => {
    expect(centredCrop({ width: 1920, height: 1080 }, { width: 256, height: 256 })).toEqual({ x: 420, y: 0, width: 1080, height: 1080 });
  });
  it('GIVEN a portrait frame THEN the centred square', () => {
    expect(centredCrop({ width: 720, height: 1280 }, { width: 256, height: 256 })).toEqual({ x: 0, y: 280, width: 720, height: 720 });
  });
  it('GIVEN a 4097×3 frame THEN a 3×3 crop in the middle', () => {
    expect(centredCrop({ width: 4097, height: 3 }, { width: 256, height: 256 })).toEqual({ x: 2047, y: 0, width: 3, height: 3 });
  });
});

const probeJson = (stream: Record<string, unknown>, format: Record<string, unknown> = { format_name: 'mov,mp4', duration: '2.0' }) => ({
  format,
  streams: [
    {
      codec_type: 'video',
      codec_name: 'h264',
      width: 1920,
      height: 1080,
      pix_fmt: 'yuv420p',
      avg_frame_rate: '30/1',
      r_frame_rate: '30/1',
      nb_frames: '60',
      ...stream,
    },
  ],
});

describe('parseProbeJson', () => {
  it('GIVEN a display matrix rotation of −90 THEN the displayed size is swapped and rotation is 90', () => {
    const info = parseProbeJson(probeJson({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }), 1, 'mov');
    expect(info.video).toMatchObject({ width: 1080, height: 1920, rotation: 90, frameCount: 60, frameCountExact: true });
  });
  it('GIVEN no frame count THEN it is estimated from duration × rate', () => {
    const info = parseProbeJson(probeJson({ nb_frames: undefined }), 1, 'mov');
    expect(info.video).toMatchObject({ frameCount: 60, frameCountExact: false });
  });
  it('GIVEN an attached cover picture before the video THEN the real video stream is used', () => {
    const json = {
      format: { format_name: 'mov' },
      streams: [{ codec_type: 'video', codec_name: 'mjpeg', width: 300, height: 300, disposition: { attached_pic: 1 } }, ...probeJson({}).streams],
    };
    expect(parseProbeJson(json, 1, 'mov').video?.codec).toBe('h264');
  });
});

describe('frameCap (enforced on the decoded frames, whatever the header says)', () => {
  const stream = (rate: string) => parseProbeJson(probeJson({ r_frame_rate: rate, avg_frame_rate: rate }), 1, 'matroska').video!;
  it('GIVEN a 15 s limit at 25 fps THEN 375 frames, refused beyond as too long', () => {
    const cap = frameCap(stream('25/1'), { ...DEFAULT_LIMITS, maxDurationSeconds: 15 });
    expect(cap.frames).toBe(375);
    expect(cap.error()).toMatchObject({ code: 'video-too-long', message: 'The driving video is longer than 15 seconds, the limit. Trim it and try again.' });
  });
  it('GIVEN 29.97 fps THEN whole frames within the limit', () =>
    expect(frameCap(stream('30000/1001'), { ...DEFAULT_LIMITS, maxDurationSeconds: 10 }).frames).toBe(299));
  it('GIVEN a frame limit tighter than the duration THEN the frame limit and its sentence', () => {
    const cap = frameCap(stream('240/1'), { ...DEFAULT_LIMITS, maxFrames: 1000 });
    expect(cap.frames).toBe(1000);
    expect(cap.error()).toMatchObject({ code: 'too-many-frames' });
  });
});

describe('checkVideo and checkPhoto', () => {
  const video = (stream: Record<string, unknown>, format?: Record<string, unknown>) => parseProbeJson(probeJson(stream, format), 1, 'mov');
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).message;
    }
    throw new Error('expected a refusal');
  };
  it('GIVEN a 1000 fps video THEN refused with the accepted range', () => {
    expect(refusal(() => checkVideo(video({ avg_frame_rate: '1000/1', r_frame_rate: '1000/1', nb_frames: '100' }, { duration: '0.1' }), DEFAULT_LIMITS))).toBe(
      'The driving video runs at 1000 frames per second; Marionette accepts 1 to 240. Re-export it at a normal rate such as 25 or 30 fps.',
    );
  });
  it('GIVEN a zero frame rate THEN refused', () => {
    expect(refusal(() => checkVideo(video({ avg_frame_rate: '0/0', r_frame_rate: '0/0' }), DEFAULT_LIMITS))).toMatch(/no usable frame rate/);
  });
  it('GIVEN a header claiming ten hours THEN refused before decoding', () => {
    expect(refusal(() => checkVideo(video({ nb_frames: undefined }, { duration: '36000' }), DEFAULT_LIMITS))).toBe(
      'The driving video is 10 hours long; the limit is 5 minutes. Trim it and try again.',
    );
  });
  it('GIVEN 50 000 frames THEN refused', () => {
    expect(refusal(() => checkVideo(video({ nb_frames: '50000' }, { duration: '200' }), DEFAULT_LIMITS))).toMatch(/has 50000 frames; the limit is 18000/);
  });
  it('GIVEN a 1×1 photo THEN refused with the minimum side', () => {
    const info = parseProbeJson({ format: {}, streams: [{ codec_type: 'video', width: 1, height: 1 }] }, 1, 'png_pipe');
    expect(refusal(() => checkPhoto(info, DEFAULT_LIMITS))).toBe('The photo is 1×1 pixels; each side needs at least 16 pixels.');
  });
  it('GIVEN an 80-megapixel photo THEN refused', () => {
    const info = parseProbeJson({ format: {}, streams: [{ codec_type: 'video', width: 8000, height: 8000 }] }, 1, 'png_pipe');
    expect(refusal(() => checkPhoto(info, DEFAULT_LIMITS))).toMatch(/is 8000×8000 pixels \(64 megapixels\); the limit is 50 megapixels/);
  });
});
