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
 * `rule` and resize to `target`.
 */
export function cropScaleFilters(rule: CropRule, frame: Size, target: Size): string[] {
  return [`crop=${cropOptions(rule, frame, target)}`, `scale=${target.width}:${target.height}:flags=lanczos`, 'setsar=1'];
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
