import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { rationalValue, type MediaInfo } from '../../src/engine/media/media-info.js';
import { readMp4Info } from '../../src/engine/media/mp4-info.js';
import { parseProbeJson, probeMedia } from '../../src/engine/media/probe.js';
import { DEFAULT_LIMITS } from '../../src/engine/media/limits.js';
import { InputError } from '../../src/engine/errors.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A command's intake reads an MP4/MOV's MediaInfo in-process (readMp4Info) instead of starting ffprobe. For
 * every kind of file it answers, it must say what ffprobe says of the same file in every field the checks read
 * (size as displayed, rotation, rate, frame count, duration, streams); a file cut off is 'truncated'; anything
 * it does not fully understand is null (ffprobe is asked), never a different answer.
 */
const dir = tempDir('mp4-info-');
const p = (name: string) => join(dir, name);
const ffmpeg = (args: string[]) => execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
const testsrc = (size: string, rate: string) => ['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=${rate}`];

function ffprobeInfo(path: string): MediaInfo {
  const out = execFileSync(resolveFfmpeg().ffprobe, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]).toString();
  return parseProbeJson(JSON.parse(out) as unknown, statSync(path).size, 'mov');
}

/** Writes a display matrix for a clockwise quarter-turn count into every tkhd (as a phone held sideways does). */
function withRotation(mp4: Buffer, quarterTurns: number): Buffer {
  const quarter: ReadonlyArray<readonly [number, number]> = [
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, -1],
  ];
  const [cos, sin] = quarter[quarterTurns % 4]!;
  const out = Buffer.from(mp4);
  for (let at = out.indexOf('tkhd'); at >= 0; at = out.indexOf('tkhd', at + 4)) {
    const matrix = at + 4 + 4 + (out[at + 4] === 1 ? 32 : 20) + 16;
    // a b u / c d v / x y w: a–d and x, y in 16.16 fixed point, u, v, w in 2.30.
    [cos, sin, 0, -sin, cos, 0, 0, 0].forEach((v, i) => out.writeInt32BE(v * 0x10000, matrix + i * 4));
    out.writeInt32BE(0x40000000, matrix + 32);
  }
  return out;
}

/** The fields the intake's checks read, comparable across the two readers. */
function checked(info: MediaInfo) {
  const v = info.video;
  return {
    duration: info.durationSeconds === null ? null : +info.durationSeconds.toFixed(3),
    video: v && {
      codec: v.codec,
      width: v.width,
      height: v.height,
      rotation: v.rotation,
      fps: v.frameRate && +rationalValue(v.frameRate).toFixed(6),
      frames: v.frameCount,
    },
    audio: info.audio !== null,
    streams: info.streams?.map((s) => ({ type: s.type, width: s.type === 'video' ? s.width : 0, height: s.type === 'video' ? s.height : 0 })),
  };
}

beforeAll(() => {
  ffmpeg([...testsrc('320x240', '25'), '-f', 'lavfi', '-i', 'sine=d=4', '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', p('phone.mp4')]);
  ffmpeg([...testsrc('320x240', '30000/1001'), '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', p('ntsc.mov')]);
  ffmpeg([...testsrc('320x240', '24'), '-t', '2', '-c:v', 'mpeg4', p('mpeg4.mp4')]);
  ffmpeg([...testsrc('64x64', '1000'), '-frames:v', '200', '-c:v', 'libx264', '-preset', 'ultrafast', p('1000fps.mp4')]);
  ffmpeg([...testsrc('320x240', '25'), '-t', '2', '-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', 'log-level=none', p('hevc.mp4')]);
  ffmpeg([
    ...testsrc('160x160', '10'),
    '-frames:v',
    '12',
    '-vf',
    "setpts='PTS+if(gt(N,5),N*0.05/TB,0)'",
    '-fps_mode',
    'passthrough',
    '-c:v',
    'libx264',
    p('vfr.mp4'),
  ]);
  ffmpeg([...testsrc('320x240', '25'), '-t', '2', '-c:v', 'libx264', '-movflags', 'frag_keyframe+empty_moov', p('fragmented.mp4')]);
  ffmpeg([...testsrc('320x240', '25'), '-t', '2', '-c:v', 'libx264', '-movflags', '+faststart', p('faststart.mp4')]);
  const upright = readFileSync(p('phone.mp4'));
  for (const turns of [1, 2, 3]) writeFileSync(p(`rotated-${turns * 90}.mp4`), withRotation(upright, turns));
  const faststart = readFileSync(p('faststart.mp4'));
  writeFileSync(p('cut-after-moov.mp4'), faststart.subarray(0, Math.floor(faststart.length / 2)));
  writeFileSync(p('cut-before-moov.mp4'), upright.subarray(0, Math.floor(upright.length / 2)));
  // A movie-level matrix, which ffmpeg composes with the tracks': left to ffprobe.
  const movieMatrix = Buffer.from(upright);
  movieMatrix.writeInt32BE(-0x10000, movieMatrix.indexOf('mvhd') + 4 + 36);
  writeFileSync(p('movie-matrix.mp4'), movieMatrix);
}, 60_000);

describe('readMp4Info', () => {
  it.each([
    'phone.mp4',
    'ntsc.mov',
    'mpeg4.mp4',
    '1000fps.mp4',
    'hevc.mp4',
    'vfr.mp4',
    'faststart.mp4',
    'rotated-90.mp4',
    'rotated-180.mp4',
    'rotated-270.mp4',
  ])('GIVEN %s THEN it says what ffprobe says in every field the checks read', async (name) => {
    const reading = await readMp4Info(p(name), 'mov');
    expect(reading?.kind).toBe('info');
    expect(checked(reading!.kind === 'info' ? reading!.info : ({} as MediaInfo))).toEqual(checked(ffprobeInfo(p(name))));
  });

  it('GIVEN a phone held sideways THEN the size is as displayed (sides swapped) and the rotation a quarter turn', async () => {
    const reading = await readMp4Info(p('rotated-90.mp4'), 'mov');
    expect(reading).toMatchObject({ kind: 'info', info: { video: { width: 240, height: 320, rotation: 90 } } });
  });

  it('GIVEN a file cut off after its moov THEN truncated, with how much is missing; cut off before it THEN left to ffprobe', async () => {
    const reading = await readMp4Info(p('cut-after-moov.mp4'), 'mov');
    expect(reading?.kind).toBe('truncated');
    expect(reading?.kind === 'truncated' && reading.missingBytes).toBeGreaterThan(0);
    expect(await readMp4Info(p('cut-before-moov.mp4'), 'mov')).toBeNull();
  });

  it('GIVEN a fragmented file or a movie-level matrix THEN null: ffprobe is asked', async () => {
    expect(await readMp4Info(p('fragmented.mp4'), 'mov')).toBeNull();
    expect(await readMp4Info(p('movie-matrix.mp4'), 'mov')).toBeNull();
  });
});

describe("probeMedia at the intake's depth", () => {
  it('GIVEN a file cut off after its moov THEN the refusal an unreadable video gets, without ffprobe; at full depth ffprobe reads its header', async () => {
    const refusal = await probeMedia(p('cut-after-moov.mp4'), 'video', DEFAULT_LIMITS, undefined, 'headers').catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(InputError);
    expect((refusal as InputError).message).toMatch(/^The driving video could not be read as a video; it may be damaged or truncated/);
    await expect(probeMedia(p('cut-after-moov.mp4'), 'video', DEFAULT_LIMITS)).resolves.toMatchObject({ video: { width: 320 } });
  });

  it('GIVEN a fragmented file THEN the same MediaInfo at both depths (ffprobe both times)', async () => {
    const headers = await probeMedia(p('fragmented.mp4'), 'video', DEFAULT_LIMITS, undefined, 'headers');
    expect(checked(headers)).toEqual(checked(await probeMedia(p('fragmented.mp4'), 'video', DEFAULT_LIMITS)));
  });
});
