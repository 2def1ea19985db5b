import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { readMp4Streams, streamsOfMoov } from '../../src/engine/media/mp4-streams.js';
import { streamSummaries } from '../../src/engine/media/probe.js';
import { writeShapeImage, writeShapeVideo } from '../../src/demo/synthetic-media.js';
import { pngBomb, movWithPngStream } from '../support/hostile-media.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The in-process listing of an MP4/MOV's streams must say what ffmpeg's own demuxer says without decoding
 * (`ffprobe -nofind_stream_info`) — kinds, order and stored video sizes — or decline (null), never differ:
 * it decides, like that listing did, whether a driving video's hidden streams may be decoded at all.
 */
const dir = tempDir('mp4-streams-');
const p = (name: string) => join(dir, name);
const ffmpeg = (args: string[]) => execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

function ffprobeListing(path: string): Array<{ type: string; width: number; height: number }> {
  const json = JSON.parse(
    execFileSync(resolveFfmpeg().ffprobe, ['-v', 'error', '-nofind_stream_info', '-show_streams', '-of', 'json', path]).toString(),
  ) as unknown;
  return streamSummaries(json).map((s) => ({ type: s.type, width: s.type === 'video' ? s.width : 0, height: s.type === 'video' ? s.height : 0 }));
}

const simple = (streams: Awaited<ReturnType<typeof readMp4Streams>>) => streams?.map((s) => ({ type: s.type, width: s.width, height: s.height })) ?? null;

beforeAll(async () => {
  const shape = (i: number) => ({ cx: i / 30, cy: 0, angle: i / 10, scale: 1 });
  await writeShapeVideo(p('plain.mp4'), { width: 160, height: 96, fps: 10, frames: 10, audio: true, pose: shape });
  await writeShapeVideo(p('silent.mp4'), { width: 64, height: 64, fps: 10, frames: 5, audio: false, pose: shape });
  ffmpeg(['-i', p('plain.mp4'), '-c', 'copy', '-f', 'mov', p('plain.mov')]);
  ffmpeg(['-i', p('plain.mp4'), '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov', p('fragmented.mp4')]);
  ffmpeg(['-i', p('plain.mp4'), ...['0:v', '0:v', '0:v', '0:v', '0:v', '0:a'].flatMap((m) => ['-map', m]), '-c', 'copy', p('five-video-streams.mp4')]);
  ffmpeg(['-i', p('plain.mp4'), '-i', p('silent.mp4'), '-map', '0:v', '-map', '1:v', '-map', '0:a', '-c', 'copy', p('two-sizes.mov')]);
  await writeShapeImage(p('cover.png'), 120, 120, { cx: 0, cy: 0, angle: 0, scale: 1 });
  ffmpeg(['-i', p('plain.mp4'), '-i', p('cover.png'), '-map', '0', '-map', '1', '-c', 'copy', '-disposition:v:1', 'attached_pic', p('with-cover.mp4')]);
  ffmpeg(['-i', p('plain.mp4'), '-c', 'copy', '-metadata', 'title=covr in a title', p('covr-word.mp4')]);
  movWithPngStream(p('hidden-png-stream.mov'), await pngBomb(12000, 12000), { base: p('plain.mp4') });
}, 120_000);

describe('the MP4/MOV stream listing', () => {
  it.each(['plain.mp4', 'silent.mp4', 'plain.mov', 'fragmented.mp4', 'five-video-streams.mp4', 'two-sizes.mov', 'hidden-png-stream.mov'])(
    'GIVEN %s THEN it lists what ffmpeg lists: the same streams, kinds and stored video sizes',
    async (name) => {
      const listed = simple(await readMp4Streams(p(name)));
      expect(listed, 'a plain file is understood, not passed to ffprobe').not.toBeNull();
      expect(listed).toEqual(ffprobeListing(p(name)));
    },
  );

  it('GIVEN the hidden 12000×12000 PNG stream THEN its declared size is listed, so the probe refuses it before any decoding', async () => {
    const listed = await readMp4Streams(p('hidden-png-stream.mov'));
    expect(listed?.filter((s) => s.type === 'video').map((s) => [s.width, s.height])).toContainEqual([12000, 12000]);
  });

  it('GIVEN cover art (which ffmpeg lists as extra attached-picture streams) THEN it declines, and ffprobe lists it', async () => {
    expect(await readMp4Streams(p('with-cover.mp4'))).toBeNull();
    // Conservative: the word in a tag is enough to decline.
    expect(await readMp4Streams(p('covr-word.mp4'))).toBeNull();
  });

  it('GIVEN a file cut short, cut inside its moov, or with a moov box claiming more than the file THEN it declines, never throws', async () => {
    const whole = readFileSync(p('plain.mp4'));
    const moovAt = whole.indexOf('moov') - 4;
    const cases: Array<[string, Buffer]> = [
      ['cut-in-moov.mp4', whole.subarray(0, moovAt + 40)],
      ['cut-header.mp4', whole.subarray(0, 6)],
      ['oversized-moov.mp4', Buffer.concat([whole.subarray(0, moovAt), Buffer.from([0x7f, 0xff, 0xff, 0xff]), whole.subarray(moovAt + 4)])],
      ['two-moovs.mp4', Buffer.concat([whole, whole.subarray(moovAt)])],
    ];
    for (const [name, bytes] of cases) {
      writeFileSync(p(name), bytes);
      expect(await readMp4Streams(p(name)), name).toBeNull();
    }
  });

  it('GIVEN a moov whose children do not tile it, or a track of an unknown kind THEN it declines', () => {
    // A box: its size (4 bytes, big-endian, header included), its type, its payload.
    const box = (type: string, payload: Buffer) => {
      const b = Buffer.concat([Buffer.alloc(4), Buffer.from(type, 'latin1'), payload]);
      b.writeUInt32BE(b.length, 0);
      return b;
    };
    const hdlr = (handler: string) => box('hdlr', Buffer.concat([Buffer.alloc(8), Buffer.from(handler, 'latin1'), Buffer.alloc(12)]));
    const trak = (handler: string) => box('trak', box('mdia', hdlr(handler)));
    expect(streamsOfMoov(trak('soun'))).toEqual([{ index: 0, type: 'audio', codec: 'unknown', width: 0, height: 0, attachedPicture: false }]);
    expect(streamsOfMoov(trak('hint'))).toBeNull();
    expect(streamsOfMoov(Buffer.concat([trak('soun'), Buffer.from([0, 0, 0])]))).toBeNull();
    expect(streamsOfMoov(Buffer.alloc(0))).toBeNull();
  });
});
