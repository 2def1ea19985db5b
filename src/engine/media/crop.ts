/**
 * Framing: which part of a photo or video frame the model sees. The rule is
 * one function so a smarter one (face-aware) can replace the default.
 */
export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Chooses the region of a frame the model sees. `ffmpeg`, when a rule has it, is the
 * same rule written as ffmpeg crop-filter options (over `iw`, `ih`), which ffmpeg
 * re-evaluates whenever the frame size changes: a video whose resolution changes
 * midway (a stitched recording, an adaptive stream) is framed the same way throughout.
 * A rule without it is applied to the first frame's size, and each later size gets
 * that rectangle in proportion.
 */
export interface CropRule {
  (frame: Size, target: Size): Rect;
  readonly ffmpeg?: (target: Size) => string;
}

/** The largest centred region with the target's aspect ratio (a centred square for square models). */
export const centredCrop: CropRule = Object.assign(
  (frame: Size, target: Size): Rect => {
    const targetAspect = target.width / target.height;
    let width = frame.width;
    let height = Math.round(width / targetAspect);
    if (height > frame.height) {
      height = frame.height;
      width = Math.round(height * targetAspect);
    }
    width = Math.max(1, Math.min(frame.width, width));
    height = Math.max(1, Math.min(frame.height, height));
    return { x: Math.floor((frame.width - width) / 2), y: Math.floor((frame.height - height) / 2), width, height };
  },
  {
    // The same arithmetic: full width if the target-shaped height fits, else full height; centred with the margin
    // rounded down, as above (ffmpeg's default x, y would round it to the nearest pixel).
    ffmpeg: ({ width: tw, height: th }: Size): string => {
      const fits = `lte(round(iw*${th}/${tw}),ih)`;
      return `w='if(${fits},iw,min(iw,round(ih*${tw}/${th})))':h='if(${fits},round(iw*${th}/${tw}),ih)':x='floor((iw-ow)/2)':y='floor((ih-oh)/2)'`;
    },
  },
);

/**
 * ffmpeg filters that crop `frame` (the first frame's size, after orientation) by
 * `rule` and resize to `target`. A rule's region may reach past the frame (a face at
 * the edge, a whole frame fitted into a square): the part inside is cropped and
 * scaled, and the rest is padded by repeating the edge pixels (fillborders smear),
 * never squeezed. `exact`: crop in RGB, to the pixel (a photo the clip is pasted back
 * into; ffmpeg otherwise rounds a YUV 4:2:0 crop's offsets down to even numbers).
 */
export function cropScaleFilters(rule: CropRule, frame: Size, target: Size, exact = false): string[] {
  const r = rule(frame, target);
  const inside = r.x >= 0 && r.y >= 0 && r.x + r.width <= frame.width && r.y + r.height <= frame.height;
  const rgb = exact ? ['format=rgb24'] : [];
  if (inside) return [...rgb, `crop=${cropOptions(rule, frame, target)}`, `scale=${target.width}:${target.height}:flags=lanczos`, 'setsar=1'];
  return [...rgb, ...paddedCrop(r, frame, target)];
}

/** A region reaching past the frame: its part inside, scaled as the whole region would be, then padded to the target. */
function paddedCrop(r: Rect, frame: Size, target: Size): string[] {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(frame.width, r.x + r.width);
  const y1 = Math.min(frame.height, r.y + r.height);
  const sx = target.width / r.width;
  const sy = target.height / r.height;
  const left = Math.min(target.width - 1, Math.max(0, Math.round((x0 - r.x) * sx)));
  const top = Math.min(target.height - 1, Math.max(0, Math.round((y0 - r.y) * sy)));
  const width = Math.max(1, Math.min(target.width - left, Math.round((x1 - x0) * sx)));
  const height = Math.max(1, Math.min(target.height - top, Math.round((y1 - y0) * sy)));
  const f = (n: number, of: number) => `${n}/${of}`;
  const crop =
    `crop=w='round(iw*${f(x1 - x0, frame.width)})':h='round(ih*${f(y1 - y0, frame.height)})':` +
    `x='round(iw*${f(x0, frame.width)})':y='round(ih*${f(y0, frame.height)})'`;
  const right = target.width - left - width;
  const bottom = target.height - top - height;
  return [
    crop,
    `scale=${width}:${height}:flags=lanczos`,
    `pad=${target.width}:${target.height}:${left}:${top}`,
    ...(left + right + top + bottom > 0 ? [`fillborders=left=${left}:right=${right}:top=${top}:bottom=${bottom}:mode=smear`] : []),
    'setsar=1',
  ];
}

function cropOptions(rule: CropRule, frame: Size, target: Size): string {
  if (rule.ffmpeg) return rule.ffmpeg(target);
  const r = rule(frame, target);
  // The rectangle as fractions of the frame (exact at the first size: ffmpeg rounds to the nearest pixel).
  const f = (n: number, of: number) => `${n}/${of}`;
  return (
    `w='round(iw*${f(r.width, frame.width)})':h='round(ih*${f(r.height, frame.height)})':` +
    `x='round(iw*${f(r.x, frame.width)})':y='round(ih*${f(r.y, frame.height)})'`
  );
}

/** A rule that always frames one region, given in the pixels of a frame of size `at` (in proportion at another size). */
export function regionRule(region: Rect, at: Size): CropRule {
  return (frame: Size): Rect => {
    const sx = frame.width / at.width;
    const sy = frame.height / at.height;
    return {
      x: Math.round(region.x * sx),
      y: Math.round(region.y * sy),
      width: Math.max(1, Math.round(region.width * sx)),
      height: Math.max(1, Math.round(region.height * sy)),
    };
  };
}
