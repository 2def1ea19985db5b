import { describe, expect, it } from 'vitest';
import { contains, faceRegion, insideFrame, wholeRegion } from '../../src/engine/framing/crop-geometry.js';
import { FaceTrack } from '../../src/engine/framing/face-track.js';
import { choosePhotoRegion, chooseVideoRegion, MIN_FACE_SIDE } from '../../src/engine/framing/framing-plan.js';
import { photoOutputSize, resolveOutputSize } from '../../src/engine/framing/output-size.js';
import { featherMask, PasteBack } from '../../src/engine/framing/paste-back.js';
import { photoTiles, suppressContained } from '../../src/engine/framing/find-faces.js';

/** The pure parts of framing: crop geometry, the face track, output size, the paste-back mask and compositing. */
const SQUARE = { width: 256, height: 256 };
const face = (x: number, y: number, width: number, height = width, score = 0.9) => ({ x, y, width, height, score });

describe('crop geometry (crop-video.py: grown 0.1 a side, square, kept in the frame)', () => {
  it('GIVEN a face in the middle THEN the crop is a square of 1.2 × its longer side, centred on it', () => {
    const r = faceRegion(face(400, 300, 100, 120), { width: 1000, height: 1000 }, SQUARE);
    expect(r.width).toBe(r.height);
    expect(r.width).toBe(144);
    expect(r.x + r.width / 2).toBeCloseTo(450, 0);
    expect(r.y + r.height / 2).toBeCloseTo(360, 0);
  });

  it('GIVEN a face at the very edge THEN the crop moves inside the frame and still holds the whole face', () => {
    const f = face(0, 10, 100);
    const r = faceRegion(f, { width: 600, height: 400 }, SQUARE);
    expect(insideFrame(r, { width: 600, height: 400 })).toBe(true);
    expect(contains(r, f)).toBe(true);
  });

  it('GIVEN a face larger than the frame allows THEN the crop reaches past the frame (padded) rather than being squeezed', () => {
    const f = face(10, 0, 180, 200);
    const frame = { width: 400, height: 210 };
    const r = faceRegion(f, frame, SQUARE);
    expect(r.width).toBe(r.height);
    expect(r.height).toBeGreaterThan(frame.height);
    expect(r.y).toBeLessThan(0);
    expect(r.y + r.height).toBeGreaterThan(frame.height);
    expect(contains(r, f)).toBe(true);
  });

  it('GIVEN whole-subject framing THEN the square holds the whole frame, centred (padded on the short axis)', () => {
    expect(wholeRegion({ width: 720, height: 1280 }, SQUARE)).toEqual({ x: -280, y: 0, width: 1280, height: 1280 });
    expect(wholeRegion({ width: 600, height: 400 }, SQUARE)).toEqual({ x: 0, y: -100, width: 600, height: 600 });
  });
});

describe('the face track (first box, IoU > 0.25, union; lost stretches kept)', () => {
  it('GIVEN a face that drifts THEN the union covers every box and the crop holds it', () => {
    const t = new FaceTrack(1);
    for (let i = 0; i < 10; i++) t.offer(i, [face(100 + i * 3, 100, 80)]);
    const s = t.summary();
    expect(s.union).toEqual({ x: 100, y: 100, width: 107, height: 80 });
    expect(s.framesWithFace).toBe(10);
    expect(s.lost).toEqual([]);
  });

  it('GIVEN a face missing for a stretch THEN the frames are reported as lost and the track goes on', () => {
    const t = new FaceTrack(3);
    const seen = [true, true, false, false, true, false];
    seen.forEach((yes, n) => t.offer(n * 3, yes ? [face(100, 100, 80)] : []));
    const s = t.summary();
    expect(s.lost).toEqual([
      { from: 6, to: 11 },
      { from: 15, to: 17 },
    ]);
    expect(s.framesWithFace).toBe(3);
  });

  it('GIVEN a second face elsewhere THEN the first face is followed and several faces are counted', () => {
    const t = new FaceTrack(1);
    t.offer(0, [face(100, 100, 80)]);
    t.offer(1, [face(500, 100, 120), face(102, 101, 80)]);
    const s = t.summary();
    expect(s.first).toMatchObject({ x: 100 });
    expect(s.union).toEqual({ x: 100, y: 100, width: 82, height: 81 });
    expect(s.mostFaces).toBe(2);
    expect(chooseVideoRegion(s, { width: 1000, height: 800 }, SQUARE).notes).toContainEqual({ code: 'several-faces', input: 'video', count: 2 });
  });

  it('GIVEN no face at all THEN the video is centred, with a note', () => {
    const t = new FaceTrack(2);
    t.offer(0, []);
    t.offer(2, []);
    const choice = chooseVideoRegion(t.summary(), { width: 720, height: 1280 }, SQUARE);
    expect(choice.used).toBe('centre');
    expect(choice.region).toEqual({ x: 0, y: 280, width: 720, height: 720 });
    expect(choice.notes).toEqual([{ code: 'no-face-in-video' }]);
  });
});

describe("the photo's face", () => {
  it('GIVEN two faces THEN the largest is framed, with a note', () => {
    const choice = choosePhotoRegion([face(10, 10, 60, 60, 0.99), face(300, 50, 150)], { width: 800, height: 600 }, SQUARE);
    expect(choice.used).toBe('face');
    expect(contains(choice.region, face(300, 50, 150))).toBe(true);
    expect(choice.notes).toEqual([{ code: 'several-faces', input: 'photo', count: 2 }]);
  });

  it(`GIVEN only a face under ${MIN_FACE_SIDE} px THEN the photo is centred, saying the face was too small`, () => {
    const choice = choosePhotoRegion([face(10, 10, 30)], { width: 300, height: 300 }, SQUARE);
    expect(choice.used).toBe('centre');
    expect(choice.notes).toEqual([{ code: 'face-too-small', input: 'photo', side: 30 }]);
  });

  it('GIVEN a large photo THEN its tiles overlap by half and cover it; a face cut by a tile is dropped for the whole one', () => {
    const tiles = photoTiles({ width: 1200, height: 1600 }, 416);
    expect(tiles).toHaveLength(6);
    for (const t of tiles) expect(insideFrame(t, { width: 1200, height: 1600 })).toBe(true);
    expect(photoTiles({ width: 800, height: 600 }, 416)).toEqual([]);
    expect(suppressContained([face(100, 100, 50, 100, 0.6), face(100, 100, 100, 100, 0.9)])).toEqual([face(100, 100, 100, 100, 0.9)]);
  });
});

describe('output size', () => {
  it("GIVEN a 3000×4000 selfie THEN the clip keeps its aspect with the long side at 1280, even sides; 'model' keeps the square", () => {
    expect(photoOutputSize({ width: 3000, height: 4000 })).toEqual({ width: 960, height: 1280 });
    expect(photoOutputSize({ width: 513, height: 301 })).toEqual({ width: 512, height: 300 });
    expect(resolveOutputSize(720, { width: 1080, height: 1920 }, SQUARE)).toEqual({ width: 404, height: 720 });
    expect(resolveOutputSize('model', { width: 1080, height: 1920 }, SQUARE)).toEqual(SQUARE);
  });
});

describe('paste-back', () => {
  const output = { width: 40, height: 30 };
  const photo = Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 7) % 251);

  it('GIVEN a region inside the photo THEN the mask is 1 inside, fades at its edges, and is 0 outside it', () => {
    const region = { x: 8, y: 4, width: 20, height: 20 };
    const span = { x0: 8, x1: 28, y0: 4, y1: 24 };
    const mask = featherMask({ output, region, model: { width: 8, height: 8 } }, span);
    expect(mask[10 * 20 + 10]).toBe(1);
    expect(mask[10 * 20]).toBeLessThan(1);
    expect(mask[10 * 20]).toBeGreaterThan(0);
  });

  it('GIVEN a region on the photo border THEN no fade on that side (nothing to blend with)', () => {
    const region = { x: 0, y: 0, width: 20, height: 20 };
    const mask = featherMask({ output, region, model: { width: 8, height: 8 } }, { x0: 0, x1: 20, y0: 0, y1: 20 });
    expect(mask[10 * 20]).toBe(1);
    expect(mask[10 * 20 + 19]).toBeLessThan(1);
  });

  it(
    'GIVEN a generated frame THEN the output outside the region is the photo byte for byte, and a generated copy of the photo ' + 'pastes back as the photo',
    () => {
      const region = { x: 10, y: 5, width: 16, height: 16 };
      // The region of the photo, as the model would get it at its own size (here 16×16: no resampling).
      const generated = new Uint8Array(16 * 16 * 3);
      for (let y = 0; y < 16; y++)
        for (let x = 0; x < 16; x++) for (let c = 0; c < 3; c++) generated[(y * 16 + x) * 3 + c] = photo[((y + 5) * 40 + x + 10) * 3 + c]!;
      const out = new Uint8Array(photo.length);
      new PasteBack(photo, { output, region, model: { width: 16, height: 16 } }).compose(generated, out);
      expect(Buffer.from(out).equals(Buffer.from(photo))).toBe(true);
      const white = new Uint8Array(16 * 16 * 3).fill(255);
      new PasteBack(photo, { output, region, model: { width: 16, height: 16 } }).compose(white, out);
      for (let y = 0; y < 30; y++)
        for (let x = 0; x < 40; x++) {
          const inside = x >= 10 && x < 26 && y >= 5 && y < 21;
          if (!inside) expect(out[(y * 40 + x) * 3]).toBe(photo[(y * 40 + x) * 3]);
        }
      expect(out[(13 * 40 + 18) * 3]).toBe(255);
    },
  );
});
