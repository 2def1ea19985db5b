import { readFramesRgb } from '../../src/engine/media/encode.js';
import { placeLabel } from '../../src/engine/media/label/label.js';
import { probe } from './ffprobe.js';

export interface LabelReading {
  readonly frame: number;
  /** Mean luma where the label's text is white, and where its outline is dark. */
  readonly text: number;
  readonly outline: number;
}

/**
 * Reads the burned-in "AI-generated" label in a lossy clip: at the pixels where
 * the label (as the engine places it for this frame size) has white text the frame
 * must be bright, and at the pixels of its dark outline, right beside them, dark.
 * Whatever the picture underneath, without the label the two sets of pixels look
 * alike; with it they differ by most of the luma range.
 */
export async function readLabel(path: string, frames: readonly ('first' | 'last')[] = ['first', 'last']): Promise<LabelReading[]> {
  const p = probe(path);
  if (!p.video) throw new Error(`${path} has no video stream`);
  const { width, height } = p.video;
  const raw = await readFramesRgb(path);
  const frameBytes = width * height * 3;
  const count = Math.floor(raw.length / frameBytes);
  const { x, y, raster } = placeLabel(width, height);
  return frames.map((which) => {
    const f = which === 'first' ? 0 : count - 1;
    let text = 0;
    let textN = 0;
    let outline = 0;
    let outlineN = 0;
    for (let ry = 0; ry < raster.height; ry++) {
      for (let rx = 0; rx < raster.width; rx++) {
        const s = (ry * raster.width + rx) * 4;
        const o = f * frameBytes + ((y + ry) * width + x + rx) * 3;
        const luma = 0.299 * raw[o]! + 0.587 * raw[o + 1]! + 0.114 * raw[o + 2]!;
        if (raster.rgba[s + 3] === 255 && raster.rgba[s] === 255) {
          text += luma;
          textN++;
        } else if (raster.rgba[s + 3] === 220 && raster.rgba[s] === 0) {
          outline += luma;
          outlineN++;
        }
      }
    }
    return { frame: f, text: text / textN, outline: outline / outlineN };
  });
}

/** Throws unless the label is legible in the given frames (white text over a dark outline). */
export async function expectLabel(path: string): Promise<void> {
  for (const r of await readLabel(path)) {
    if (!(r.text > 170 && r.outline < 90 && r.text - r.outline > 120)) {
      throw new Error(
        `${path}, frame ${r.frame}: no burned-in "AI-generated" label (text luma ${r.text.toFixed(0)}, outline luma ` +
          `${r.outline.toFixed(0)}; want bright text over a dark outline)`,
      );
    }
  }
}
