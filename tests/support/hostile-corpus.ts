import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { ffconcatScript, hlsPlaylist, movWithPngStream, pngBomb, pngHeaderOnly, pngTextFirst } from './hostile-media.js';

/**
 * The hostile-media corpus, generated here (nothing downloaded): each item is a
 * file in the role it is given (photo or driving video) and what must happen —
 * a refusal (one sentence matching `refusal`) or a correct result.
 */
export const CANARY = 'CANARY-3b9e17-never-in-any-output';

export interface CorpusItem {
  readonly name: string;
  readonly role: 'photo' | 'video';
  readonly file: string;
  /** Discord's content type for the attachment. */
  readonly contentType: string;
  /** Refused with this sentence, or processed (`null`) into this many frames. */
  readonly refusal: RegExp | null;
  readonly frames?: number;
}

function ffmpeg(args: string[]): void {
  execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Rotates an MP4 for display by writing a 90° matrix into its (first) tkhd box. */
export function setMp4Rotation90(mp4: Buffer): Buffer {
  const at = mp4.indexOf('tkhd');
  if (at < 0) throw new Error('no tkhd box');
  const version = mp4[at + 4]!;
  const matrix = at + 4 + 4 + (version === 1 ? 32 : 20) + 8 + 8;
  const values = [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000];
  const out = Buffer.from(mp4);
  values.forEach((v, i) => out.writeInt32BE(v, matrix + i * 4));
  return out;
}

export async function buildHostileCorpus(dir: string): Promise<{ items: CorpusItem[]; photo: string; video: string }> {
  const p = (n: string) => join(dir, n);
  const photo = p('good-photo.png');
  const video = p('good-video.mp4');
  await writeShapeImage(photo, 240, 240, { cx: 0, cy: 0, angle: 0, scale: 0.8 });
  await writeShapeVideo(video, { width: 160, height: 160, fps: 10, frames: 10, audio: true, pose: (i) => ({ cx: i / 30, cy: 0, angle: i / 10, scale: 1 }) });
  writeFileSync(p('canary.txt'), CANARY);
  writeFileSync(p('empty.png'), '');
  const jpeg = p('full.jpg');
  await writeShapeImage(jpeg, 640, 480, { cx: 0, cy: 0, angle: 0, scale: 1 });
  writeFileSync(p('truncated.jpg'), readFileSync(jpeg).subarray(0, Math.floor(readFileSync(jpeg).length / 2)));
  writeFileSync(p('truncated.mp4'), readFileSync(video).subarray(0, Math.floor(readFileSync(video).length / 3)));
  writeFileSync(p('notes.jpg'), 'Shopping list: eggs, milk.\n'.repeat(10));
  writeFileSync(p('notes.mp4'), 'Meeting notes, not a video.\n'.repeat(10));
  writeFileSync(p('playlist.mp4'), hlsPlaylist(p('canary.txt')));
  writeFileSync(p('playlist.jpg'), hlsPlaylist(p('canary.txt')));
  writeFileSync(p('concat.mp4'), ffconcatScript(p('canary.txt')));
  writeFileSync(p('bomb.png'), pngHeaderOnly(60000, 60000));
  // IHDR must come first in a PNG; this one's header cannot be read before a decoder would (and claims 20000×20000).
  writeFileSync(p('text-first.png'), pngTextFirst(20000, 20000));
  // A normal clip with a hidden third stream: a 12000×12000 PNG (140 KB, 144 MB decoded), which every open of
  // the file would decode while reading the streams' parameters, were it not capped (-max_pixels).
  movWithPngStream(p('hidden-png-stream.mov'), await pngBomb(12000, 12000), { base: video });
  ffmpeg(['-i', video, ...['0:v', '0:v', '0:v', '0:v', '0:v', '0:a'].flatMap((m) => ['-map', m]), '-c', 'copy', p('five-video-streams.mkv')]);
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=blue:s=16x16:r=240',
    '-frames:v',
    '50000',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    p('50000-frames.mp4'),
  ]);
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=64x64:r=1000',
    '-frames:v',
    '200',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    p('1000fps.mp4'),
  ]);
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=64x64:r=2',
    '-frames:v',
    '2',
    '-vf',
    "setpts='if(eq(N,1),36000/TB,PTS)'",
    '-fps_mode',
    'passthrough',
    '-c:v',
    'ffv1',
    p('ten-hours.mkv'),
  ]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=300:duration=2', '-c:a', 'aac', p('audio-only.m4a')]);
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=2x2', '-frames:v', '1', '-vf', 'scale=1:1', p('1x1.png')]);
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=green:s=4098x4:r=10', '-frames:v', '10', '-vf', 'scale=4097:3', '-pix_fmt', 'bgr0', '-c:v', 'ffv1', p('4097x3.mkv')]);
  const shape = (i: number) => ({ cx: 0.1 * Math.sin(i), cy: 0, angle: i / 10, scale: 1 });
  await writeShapeVideo(p('upright.mp4'), { width: 192, height: 128, fps: 10, frames: 10, pose: shape });
  writeFileSync(p('rotated.mp4'), setMp4Rotation90(readFileSync(p('upright.mp4'))));
  await writeShapeVideo(p('10bit.mkv'), {
    width: 160,
    height: 160,
    fps: 10,
    frames: 10,
    pose: shape,
    codecArgs: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p10le'],
  });
  await writeShapeVideo(p('yuv444.mp4'), { width: 160, height: 160, fps: 10, frames: 10, pose: shape, codecArgs: ['-c:v', 'libx264', '-pix_fmt', 'yuv444p'] });
  await writeShapeVideo(p('vfr.mkv'), {
    width: 160,
    height: 160,
    fps: 10,
    frames: 12,
    pose: shape,
    codecArgs: ['-vf', "setpts='PTS+if(gt(N,5),N*0.05/TB,0)'", '-fps_mode', 'passthrough', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
  });

  // 301 s at 1 fps whose Matroska header says 1 s (Duration, ID 0x4489, an 8-byte float in milliseconds, rewritten):
  // past the limit (5 minutes; a server's 15 s) only by counting the decoded frames.
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=16x16:r=1', '-frames:v', '301', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', p('long.webm')]);
  const webm = readFileSync(p('long.webm'));
  webm.writeDoubleBE(1000, webm.indexOf(Buffer.from([0x44, 0x89, 0x88])) + 3);
  writeFileSync(p('lying-duration.webm'), webm);
  const refused = (name: string, role: CorpusItem['role'], contentType: string, refusal: RegExp): CorpusItem => ({
    name,
    role,
    file: p(name),
    contentType,
    refusal,
  });
  const processed = (name: string, role: CorpusItem['role'], contentType: string, frames: number): CorpusItem => ({
    name,
    role,
    file: p(name),
    contentType,
    refusal: null,
    frames,
  });
  const items: CorpusItem[] = [
    refused('empty.png', 'photo', 'image/png', /^The photo is an empty file \(0 bytes\)\.$/),
    refused('truncated.jpg', 'photo', 'image/jpeg', /^The photo could not be decoded; it may be damaged or truncated\./),
    refused('truncated.mp4', 'video', 'video/mp4', /^The driving video could not be read as a video; it may be damaged or truncated/),
    refused('notes.jpg', 'photo', 'image/jpeg', /^The photo is not an image Marionette can read; use JPEG, PNG, WebP, BMP or GIF\.$/),
    refused('notes.mp4', 'video', 'video/mp4', /^The driving video is not a video Marionette can read; use MP4, MOV, WebM, MKV, AVI or GIF\.$/),
    refused('full.jpg', 'video', 'video/mp4', /^The driving video is a still image \(JPEG\); give a video clip/),
    refused('good-video.mp4', 'photo', 'image/png', /^The photo is a video \(MP4\/MOV\); give a still image/),
    refused('playlist.mp4', 'video', 'video/mp4', /^The driving video is a HLS playlist, which Marionette does not open; upload the video file itself\.$/),
    refused('playlist.jpg', 'photo', 'image/jpeg', /^The photo is a HLS playlist, which Marionette does not open; upload the image file itself\.$/),
    refused('concat.mp4', 'video', 'video/mp4', /^The driving video is a ffconcat list, which Marionette does not open/),
    refused('bomb.png', 'photo', 'image/png', /^The photo is 60000×60000 pixels; no side may exceed 8192 pixels\.$/),
    refused(
      'text-first.png',
      'photo',
      'image/png',
      /^The photo is not a valid PNG image: its first chunk is not the IHDR header the format requires\. Save it again as JPEG or PNG and try again\.$/,
    ),
    refused(
      'hidden-png-stream.mov',
      'video',
      'video/quicktime',
      /^The driving video holds another video stream \(stream 2\) of 12000×12000 pixels, over the limit of 16\.8 megapixels and 8192 pixels a side\./,
    ),
    refused(
      'five-video-streams.mkv',
      'video',
      'video/x-matroska',
      /^The driving video holds 5 video streams \(cover pictures count\); Marionette reads files with at most 4\./,
    ),
    refused(
      '50000-frames.mp4',
      'video',
      'video/mp4',
      /^The driving video (has 50000 frames; the limit is 18000|is 3\.5 min long; this server allows at most 15 s)\./,
    ),
    refused(
      'lying-duration.webm',
      'video',
      'video/webm',
      /^(Your animation failed\. )?The driving video is longer than (5 minutes|15 seconds), the limit\. Trim it and try again\.$/,
    ),
    refused('1000fps.mp4', 'video', 'video/mp4', /^The driving video runs at 1000 frames per second; Marionette accepts 1 to 240\./),
    refused('ten-hours.mkv', 'video', 'video/x-matroska', /^The driving video is 10 h(ours)? long; (the limit is 5 minutes|this server allows at most 15 s)/),
    refused(
      'audio-only.m4a',
      'video',
      'audio/mp4',
      /^The driving video has only audio; give a clip with moving pictures\.$|^The video must be a video clip \(MP4, MOV, WebM or GIF\), not an audio file\.$/,
    ),
    refused('1x1.png', 'photo', 'image/png', /^The photo is 1×1 pixels; each side needs at least 16 pixels\.$/),
    refused('4097x3.mkv', 'video', 'video/x-matroska', /^The driving video is 4097×3 pixels; each side needs at least 16 pixels\.$/),
    processed('rotated.mp4', 'video', 'video/mp4', 10),
    processed('10bit.mkv', 'video', 'video/x-matroska', 10),
    processed('yuv444.mp4', 'video', 'video/mp4', 10),
    processed('vfr.mkv', 'video', 'video/x-matroska', 12),
  ];
  return { items, photo, video };
}
