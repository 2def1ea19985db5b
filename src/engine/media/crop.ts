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

export type CropRule = (frame: Size, target: Size) => Rect;

/** The largest centred region with the target's aspect ratio (a centred square for square models). */
export const centredCrop: CropRule = (frame, target) => {
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
};

/** ffmpeg filters that crop to `rect` and resize to `target`. */
export function cropScaleFilters(rect: Rect, target: Size): string[] {
  return [
    `crop=${rect.width}:${rect.height}:${rect.x}:${rect.y}`,
    `scale=${target.width}:${target.height}:flags=lanczos`,
    'setsar=1',
  ];
}
