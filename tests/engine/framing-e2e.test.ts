import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contains } from '../../src/engine/framing/crop-geometry.js';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { readFramesRgb } from '../../src/engine/media/encode.js';
import { DEFAULT_MODEL_DIR, Engine, type AnimateResult } from '../../src/engine/index.js';
import { setMp4Rotation90 } from '../support/hostile-corpus.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Framing end to end, with the real detector on real photographs placed in larger canvases, and driving videos
 * made from them with ffmpeg. The model is the demo model's networks with a manifest that says "face": its
 * generator reproduces the photo when the driving video does not move, so what the paste-back does is measurable.
 */
const PHOTOS = join(import.meta.dirname, '..', 'fixtures', 'photos');
const dir = tempDir();
const faceModel = join(dir, 'face-model');
const p = (name: string) => join(dir, name);
const engine = new Engine({ device: 'cpu' });
afterAll(() => engine.dispose());

function ffmpeg(...args: string[]): void {
  execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args]);
}

function rawRgb(path: string): Uint8Array {
  return new Uint8Array(
    execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 28 }),
  );
}

// The astronaut's face in the fixture (face-api's box), and where the canvas puts it: scaled 1.5×, at (66, 80).
const ASTRONAUT_FACE = { x: 163.5, y: 76.2, width: 115.8, height: 110.7 };
const SELFIE_FACE = { x: 66 + 1.5 * ASTRONAUT_FACE.x, y: 80 + 1.5 * ASTRONAUT_FACE.y, width: 1.5 * ASTRONAUT_FACE.width, height: 1.5 * ASTRONAUT_FACE.height };

beforeAll(() => {
  cpSync(DEFAULT_MODEL_DIR, faceModel, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(faceModel, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(faceModel, 'manifest.json'), JSON.stringify({ ...manifest, name: 'face-demo', framing: 'face' }));
  const astronaut = join(PHOTOS, 'astronaut.jpg');
  // A selfie-shaped photo (3:4) with the face in its upper part.
  ffmpeg('-i', astronaut, '-vf', 'scale=768:768,pad=900:1200:66:80:gray', p('selfie.png'));
  // A still phone video (9:16, 1 s at 25 fps) whose face fills the width: the driving frames do not move.
  ffmpeg(
    '-loop',
    '1',
    '-i',
    astronaut,
    '-vf',
    'crop=300:300:80:20,scale=720:720,pad=720:1280:0:200:gray,format=yuv420p',
    '-t',
    '1',
    '-r',
    '25',
    '-c:v',
    'libx264',
    p('still.mp4'),
  );
  // The same video stored on its side with a display matrix saying "turn 90°", as phones record.
  ffmpeg('-i', p('still.mp4'), '-vf', 'transpose=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', p('sideways.mp4'));
  writeFileSync(p('rotated.mp4'), setMp4Rotation90(readFileSync(p('sideways.mp4'))));
  // Two faces side by side; the coffee cup has none.
  ffmpeg(
    '-i',
    astronaut,
    '-i',
    join(PHOTOS, 'grace-hopper.jpg'),
    '-filter_complex',
    '[0]scale=300:300[a];[1]scale=512:600[b];[a]pad=300:600:0:150:gray[c];[c][b]hstack',
    p('two.png'),
  );
});

let selfie: AnimateResult;
const run = (source: string, driving: string, output: string, extra: object = {}) =>
  engine.animate({ source, driving, output, model: faceModel, label: false, ...extra });

describe('face framing with paste-back', () => {
  beforeAll(async () => {
    selfie = await run(p('selfie.png'), p('still.mp4'), p('selfie.mkv'));
  });

  it('GIVEN a selfie THEN the clip has the photo’s size, and the crop holds the whole face within the model’s framing', () => {
    expect([selfie.width, selfie.height]).toEqual([900, 1200]);
    const f = selfie.framing;
    expect(f.photo.used).toBe('face');
    expect(contains(f.photo.crop, SELFIE_FACE)).toBe(true);
    // crop-video.py's framing: about 1.2 × the face, not the whole photo.
    expect(f.photo.crop.width).toBeLessThan(2 * SELFIE_FACE.width);
    expect(f.photo.crop.width).toBe(f.photo.crop.height);
    expect(f.notes).toEqual([]);
    expect(f.framingMs).toBeGreaterThan(0);
  });

  it('GIVEN the driving video THEN its face is followed in every frame looked at and one crop holding it is used', () => {
    const v = selfie.framing.video;
    expect(v.used).toBe('face');
    expect(v.framesWithFace).toBe(v.framesLookedAt);
    expect(contains(v.crop, v.faceUnion!)).toBe(true);
  });

  it('GIVEN a driving video that does not move THEN the clip is the photo: exactly outside the pasted region, within 2/255 mean inside', async () => {
    const photo = rawRgb(p('selfie.png'));
    const frames = await readFramesRgb(p('selfie.mkv'));
    const bytes = 900 * 1200 * 3;
    expect(frames.length).toBe(25 * bytes);
    const c = selfie.framing.photo.crop;
    for (const n of [0, 24]) {
      const frame = frames.subarray(n * bytes, (n + 1) * bytes);
      let outsideDiffers = 0;
      let insideSum = 0;
      let inside = 0;
      for (let y = 0; y < 1200; y++)
        for (let x = 0; x < 900; x++) {
          const inRegion = x >= c.x && x < c.x + c.width && y >= c.y && y < c.y + c.height;
          for (let k = 0; k < 3; k++) {
            const i = (y * 900 + x) * 3 + k;
            if (!inRegion) outsideDiffers += frame[i] !== photo[i] ? 1 : 0;
            else {
              insideSum += Math.abs(frame[i]! - photo[i]!);
              inside += 1;
            }
          }
        }
      expect(outsideDiffers).toBe(0);
      expect(insideSum / inside).toBeLessThanOrEqual(2);
    }
  });

  it('GIVEN the mask’s border THEN the mean absolute gradient across it is no larger than the photo’s own there (no seam)', async () => {
    const frame = (await readFramesRgb(p('selfie.mkv'))).subarray(0, 900 * 1200 * 3);
    const photo = rawRgb(p('selfie.png'));
    const c = selfie.framing.photo.crop;
    const grad = (img: Uint8Array, x: number, y: number) => Math.abs(img[(y * 900 + x + 1) * 3]! - img[(y * 900 + x) * 3]!);
    let border = 0;
    let n = 0;
    const band = Math.ceil(c.width / 32) + 2;
    for (let y = c.y; y < c.y + c.height; y++)
      for (const x0 of [c.x, c.x + c.width])
        for (let x = x0 - band; x < x0 + band; x++) {
          border += grad(frame, x, y);
          n += 1;
        }
    // The same pixels of the photo: a seam would add to the gradient there; a feather never does.
    let photoBorder = 0;
    for (let y = c.y; y < c.y + c.height; y++)
      for (const x0 of [c.x, c.x + c.width]) for (let x = x0 - band; x < x0 + band; x++) photoBorder += grad(photo, x, y);
    expect(border / n).toBeLessThanOrEqual(photoBorder / n + 0.05);
  });
});

describe('documented results', () => {
  it('GIVEN a photo with no face THEN it is centred, the clip still has its size, and the note says so', async () => {
    const r = await run(join(PHOTOS, 'coffee.jpg'), p('still.mp4'), p('coffee.mp4'));
    expect(r.framing.photo.used).toBe('centre');
    expect(r.framing.notes).toContainEqual({ code: 'no-face-in-photo' });
    expect([r.width, r.height]).toEqual([600, 400]);
  });

  it('GIVEN two faces and a rotated phone video THEN the larger face is framed, and the upright video’s face is found', async () => {
    const r = await run(p('two.png'), p('rotated.mp4'), p('two.mp4'), { outputSize: 'model' });
    expect(r.framing.notes).toContainEqual({ code: 'several-faces', input: 'photo', count: 2 });
    expect(r.framing.photo.crop.x).toBeGreaterThanOrEqual(300); // Grace Hopper's, the larger face, on the right
    expect(r.framing.video.size).toEqual({ width: 720, height: 1280 });
    expect(r.framing.video.used).toBe('face');
    expect([r.width, r.height]).toEqual([256, 256]);
  });

  it('GIVEN whole framing THEN both inputs are fitted whole into the square (padded), none cut', async () => {
    const r = await run(p('selfie.png'), p('still.mp4'), p('whole.mp4'), { framing: 'whole' });
    expect(r.framing.photo.crop).toEqual({ x: -150, y: 0, width: 1200, height: 1200 });
    expect(r.framing.video.crop).toEqual({ x: -280, y: 0, width: 1280, height: 1280 });
    expect(r.framing.framingMs).toBeGreaterThanOrEqual(0);
  });
});

describe('the CLI', () => {
  it('GIVEN --framing face and a photo without a face THEN stderr says so in one line and --json reports the framing', async () => {
    const r = await runCli([
      'animate',
      '--source',
      join(PHOTOS, 'coffee.jpg'),
      '--driving',
      p('still.mp4'),
      '--out',
      p('cli.mp4'),
      '--framing',
      'face',
      '--output-size',
      '320',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toContain('No usable face was found in the photo, so it was centred instead.');
    const result = JSON.parse(r.stdout) as AnimateResult;
    expect(result.framing.requested).toBe('face');
    expect(result.framing.video.faceUnion).not.toBeNull();
    expect([result.width, result.height]).toEqual([320, 212]);
    expect(result.timings.framingMs).toBeGreaterThan(0);
  });
});
