import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { glyph, supportedCharacters, textWidth } from '../../src/engine/media/label/bitmap-font.js';
import { burnLabel, LABEL_TEXT, labelScale, placeLabel, renderLabel } from '../../src/engine/media/label/label.js';
import { addGifComment, withGifComment } from '../../src/engine/media/provenance.js';

describe('label font', () => {
  it('GIVEN every glyph THEN rows of equal width and 8 rows', () => {
    for (const c of supportedCharacters()) expect(() => glyph(c), c).not.toThrow();
  });
  it('GIVEN the label text THEN its width is the sum of glyph widths plus spacing', () => {
    expect(textWidth('AI')).toBe(glyph('A').width + glyph('I').width + 1);
  });
});

describe('burned-in label', () => {
  it('GIVEN frame sizes THEN the label scales with the frame but stays under 60 % of its width', () => {
    expect(labelScale(256, 256)).toBe(2);
    expect(labelScale(512, 512)).toBe(4);
    expect(labelScale(64, 64)).toBe(1);
    for (const size of [128, 256, 512, 1024]) {
      const { raster } = placeLabel(size, size);
      expect(raster.width).toBeLessThanOrEqual(size * 0.6 + 1);
    }
    // Tiny frames get the smallest label, which still fits inside the frame.
    const tiny = placeLabel(64, 64);
    expect(tiny.x).toBeGreaterThanOrEqual(0);
    expect(tiny.x + tiny.raster.width).toBeLessThanOrEqual(64);
  });
  it('GIVEN a frame THEN the label changes only its own rectangle and puts white text on it', () => {
    const w = 256,
      h = 256;
    const frame = new Uint8Array(w * h * 3).fill(128);
    const placement = placeLabel(w, h);
    burnLabel(frame, w, h, placement);
    let white = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const inside = x >= placement.x && x < placement.x + placement.raster.width && y >= placement.y && y < placement.y + placement.raster.height;
        if (!inside) expect(frame[o]).toBe(128);
        else if (frame[o] === 255 && frame[o + 1] === 255 && frame[o + 2] === 255) white++;
      }
    }
    expect(white).toBeGreaterThan(100);
    expect(placement.x + placement.raster.width).toBeLessThanOrEqual(w);
    expect(renderLabel(LABEL_TEXT, 1).height).toBe(12);
  });
});

describe('GIF comment', () => {
  it('GIVEN a GIF with a global colour table THEN the comment block follows the table', () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), Buffer.alloc(6, 7), Buffer.from([0x3b])]);
    const out = Buffer.from(withGifComment(gif, 'AI-generated'));
    expect(out.subarray(0, 19)).toEqual(gif.subarray(0, 19));
    expect(out.subarray(19, 21)).toEqual(Buffer.from([0x21, 0xfe]));
    expect(out[21]).toBe(12);
    expect(out.subarray(22, 34).toString()).toBe('AI-generated');
    expect(out[34]).toBe(0);
    expect(out.subarray(35)).toEqual(gif.subarray(19));
  });

  it('GIVEN a GIF file THEN addGifComment streams it into the same bytes as withGifComment, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gif-comment-'));
    try {
      const path = join(dir, 'clip.gif');
      execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=10', '-frames:v', '20', path]);
      const before = await readFile(path);
      await addGifComment(path, 'AI-generated with Marionette');
      expect(Buffer.from(await readFile(path))).toEqual(Buffer.from(withGifComment(before, 'AI-generated with Marionette')));
      expect(await readdir(dir)).toEqual(['clip.gif']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
