import { GLYPH_HEIGHT, GLYPH_SPACING, glyph, textWidth } from './bitmap-font.js';

/**
 * The burned-in "AI-generated" label: white text with a dark outline on a
 * translucent dark box, in a corner of every generated frame. Rendered once per
 * job as an RGBA raster, then alpha-blended into each RGB frame.
 */
export const LABEL_TEXT = 'AI-generated';

export interface LabelRaster {
  readonly width: number;
  readonly height: number;
  /** RGBA, straight alpha. */
  readonly rgba: Uint8Array;
}

export interface LabelPlacement {
  readonly x: number;
  readonly y: number;
  readonly raster: LabelRaster;
}

/** Integer pixel scale so the label is about 5.5 % of the frame's height, at least 1. */
export function labelScale(frameWidth: number, frameHeight: number, text = LABEL_TEXT): number {
  const padded = GLYPH_HEIGHT + 4;
  let scale = Math.max(1, Math.round(((frameHeight * 0.055) / padded) * 1.6));
  // Never wider than 60 % of the frame.
  while (scale > 1 && (textWidth(text) + 4) * scale > frameWidth * 0.6) scale -= 1;
  return scale;
}

export function renderLabel(text: string, scale: number): LabelRaster {
  const padX = 2;
  const padY = 2;
  const innerW = textWidth(text);
  const w = (innerW + 2 * padX) * scale;
  const h = (GLYPH_HEIGHT + 2 * padY) * scale;
  const rgba = new Uint8Array(w * h * 4);
  // Box: near-black at 60 % opacity.
  for (let i = 0; i < w * h; i++) {
    rgba[i * 4] = 16;
    rgba[i * 4 + 1] = 16;
    rgba[i * 4 + 2] = 16;
    rgba[i * 4 + 3] = 153;
  }
  // Text mask at font resolution, then outline (8-neighbourhood) for contrast.
  const mw = innerW + 2 * padX;
  const mh = GLYPH_HEIGHT + 2 * padY;
  const mask = new Uint8Array(mw * mh);
  let penX = padX;
  for (const ch of text) {
    const g = glyph(ch);
    for (let y = 0; y < GLYPH_HEIGHT; y++) {
      for (let x = 0; x < g.width; x++) if (g.ink[y * g.width + x]) mask[(y + padY) * mw + penX + x] = 1;
    }
    penX += g.width + GLYPH_SPACING;
  }
  for (let my = 0; my < mh; my++) {
    for (let mx = 0; mx < mw; mx++) {
      let value: [number, number, number, number] | null = null;
      if (mask[my * mw + mx]) value = [255, 255, 255, 255];
      else if (nearInk(mask, mw, mh, mx, my)) value = [0, 0, 0, 220];
      if (!value) continue;
      for (let sy = 0; sy < scale; sy++) {
        for (let sx = 0; sx < scale; sx++) {
          const o = ((my * scale + sy) * w + mx * scale + sx) * 4;
          rgba.set(value, o);
        }
      }
    }
  }
  return { width: w, height: h, rgba };
}

function nearInk(mask: Uint8Array, w: number, h: number, x: number, y: number): boolean {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx >= 0 && ny >= 0 && nx < w && ny < h && mask[ny * w + nx]) return true;
    }
  }
  return false;
}

/** Bottom-right placement with a margin of 2 % of the frame's width. */
export function placeLabel(frameWidth: number, frameHeight: number, text = LABEL_TEXT): LabelPlacement {
  const raster = renderLabel(text, labelScale(frameWidth, frameHeight, text));
  const margin = Math.max(1, Math.round(frameWidth * 0.02));
  return {
    raster,
    x: Math.max(0, frameWidth - raster.width - margin),
    y: Math.max(0, frameHeight - raster.height - margin),
  };
}

/** Alpha-blends the label into an RGB24 frame in place (clipped to the frame). */
export function burnLabel(frame: Uint8Array, frameWidth: number, frameHeight: number, label: LabelPlacement): void {
  const { raster, x: ox, y: oy } = label;
  for (let y = 0; y < raster.height; y++) {
    const fy = oy + y;
    if (fy < 0 || fy >= frameHeight) continue;
    for (let x = 0; x < raster.width; x++) {
      const fx = ox + x;
      if (fx < 0 || fx >= frameWidth) continue;
      const s = (y * raster.width + x) * 4;
      const a = raster.rgba[s + 3]!;
      if (a === 0) continue;
      const d = (fy * frameWidth + fx) * 3;
      for (let c = 0; c < 3; c++) {
        frame[d + c] = Math.round((raster.rgba[s + c]! * a + frame[d + c]! * (255 - a)) / 255);
      }
    }
  }
}
