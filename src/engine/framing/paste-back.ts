import type { Size } from '../media/crop.js';
import type { Box } from './box.js';

/**
 * Paste-back: each generated frame (the model's square) scaled back onto the region of the photo it was made
 * from and blended in with a feathered mask, so the clip is the whole photo with the region moving. The mask is
 * LivePortrait's mask template in spirit: 1 inside, falling linearly to 0 over the last 16/512 of the region's
 * side at each edge — at edges inside the photo only (an edge on or past the photo's border has nothing to blend
 * with). Outside the region the output is the photo's bytes exactly. Pure.
 */
export const FEATHER_FRACTION = 16 / 512;

export interface PastePlan {
  /** The clip's frame size; the photo is given at this size. */
  readonly output: Size;
  /** The region the model saw, in output pixels (may reach past the frame). */
  readonly region: Box;
  /** The generated frames' size (the model's input size). */
  readonly model: Size;
}

/** The region's pixels within the frame: columns x0..x1−1, rows y0..y1−1. */
interface Span {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

export class PasteBack {
  private readonly span: Span;
  private readonly mask: Float32Array;
  private readonly cols: Sampling;
  private readonly rows: Sampling;

  constructor(
    private readonly photo: Uint8Array,
    readonly plan: PastePlan,
  ) {
    const { output, region, model } = plan;
    this.span = {
      x0: clampInt(Math.floor(region.x), 0, output.width),
      x1: clampInt(Math.ceil(region.x + region.width), 0, output.width),
      y0: clampInt(Math.floor(region.y), 0, output.height),
      y1: clampInt(Math.ceil(region.y + region.height), 0, output.height),
    };
    this.cols = sampling(this.span.x0, this.span.x1, region.x, region.width, model.width);
    this.rows = sampling(this.span.y0, this.span.y1, region.y, region.height, model.height);
    this.mask = featherMask(plan, this.span);
  }

  /** One output frame (RGB24 at the output size) from one generated frame (RGB24 at the model's size). */
  compose(generated: Uint8Array, out: Uint8Array): void {
    out.set(this.photo);
    const { x0, x1, y0, y1 } = this.span;
    const mw = this.plan.model.width;
    const W = this.plan.output.width;
    const spanW = x1 - x0;
    for (let y = y0; y < y1; y++) {
      const r = y - y0;
      const ra = this.rows.i0[r]! * mw;
      const rb = this.rows.i1[r]! * mw;
      const wy = this.rows.w[r]!;
      for (let x = x0; x < x1; x++) {
        const m = this.mask[r * spanW + x - x0]!;
        if (m <= 0) continue;
        const c = x - x0;
        const ca = this.cols.i0[c]!;
        const cb = this.cols.i1[c]!;
        const wx = this.cols.w[c]!;
        const o = (y * W + x) * 3;
        for (let k = 0; k < 3; k++) {
          const top = generated[(ra + ca) * 3 + k]! * (1 - wx) + generated[(ra + cb) * 3 + k]! * wx;
          const bottom = generated[(rb + ca) * 3 + k]! * (1 - wx) + generated[(rb + cb) * 3 + k]! * wx;
          const g = top * (1 - wy) + bottom * wy;
          out[o + k] = Math.round(m * g + (1 - m) * this.photo[o + k]!);
        }
      }
    }
  }
}

/** Bilinear sampling positions along one axis: output pixel centres mapped into the generated frame. */
interface Sampling {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w: Float32Array;
}

function sampling(from: number, to: number, regionStart: number, regionLength: number, modelLength: number): Sampling {
  const n = Math.max(0, to - from);
  const s = { i0: new Int32Array(n), i1: new Int32Array(n), w: new Float32Array(n) };
  const scale = modelLength / regionLength;
  for (let i = 0; i < n; i++) {
    const g = Math.min(modelLength - 1, Math.max(0, (from + i + 0.5 - regionStart) * scale - 0.5));
    const g0 = Math.floor(g);
    s.i0[i] = g0;
    s.i1[i] = Math.min(modelLength - 1, g0 + 1);
    s.w[i] = g - g0;
  }
  return s;
}

/** 1 inside the region, a linear fall-off to 0 at each edge that lies inside the frame, 0 outside the region. */
export function featherMask(plan: PastePlan, span: Span): Float32Array {
  const { region, output } = plan;
  const feather = Math.max(1, FEATHER_FRACTION * Math.min(region.width, region.height));
  const right = region.x + region.width;
  const bottom = region.y + region.height;
  const fade = { left: region.x > 0, top: region.y > 0, right: right < output.width, bottom: bottom < output.height };
  const w = span.x1 - span.x0;
  const mask = new Float32Array(w * (span.y1 - span.y0));
  const ramp = (distance: number) => Math.min(1, Math.max(0, distance / feather));
  for (let y = span.y0; y < span.y1; y++) {
    const cy = y + 0.5;
    const my = Math.min(fade.top ? ramp(cy - region.y) : 1, fade.bottom ? ramp(bottom - cy) : 1);
    for (let x = span.x0; x < span.x1; x++) {
      const cx = x + 0.5;
      const mx = Math.min(fade.left ? ramp(cx - region.x) : 1, fade.right ? ramp(right - cx) : 1);
      mask[(y - span.y0) * w + x - span.x0] = Math.min(mx, my);
    }
  }
  return mask;
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
