import type { Size } from '../media/crop.js';
import type { TrainingFraming } from '../model/manifest.js';
import type { Box, Face } from './box.js';
import type { FrameRange } from './face-track.js';

/** What the caller asks for: what the model's manifest says (auto), faces, the whole subject, or the centred square. */
export type FramingMode = 'auto' | 'face' | 'whole' | 'centre';
/** How an input was framed in the end (`custom`: the caller's own crop rule). */
export type FramingUsed = 'face' | 'whole' | 'centre' | 'custom';

/**
 * Machine-readable notes on framing, for the caller to word (the bot's one-line note, the CLI's summary):
 *   no-face-in-photo / no-face-in-video: face framing was due, no face was found: that input was centred instead;
 *   face-too-small: the only faces found were under MIN_FACE_SIDE pixels: that input was centred instead;
 *   face-lost: the video's face was not found in these frames (the clip keeps one crop throughout);
 *   several-faces: more than one face: the photo's largest is used, the video's first one followed.
 */
export type FramingNote =
  | { readonly code: 'no-face-in-photo' }
  | { readonly code: 'no-face-in-video' }
  | { readonly code: 'face-too-small'; readonly input: 'photo' | 'video'; readonly side: number }
  | { readonly code: 'face-lost'; readonly ranges: readonly FrameRange[] }
  | { readonly code: 'several-faces'; readonly input: 'photo' | 'video'; readonly count: number };

export type FramingNoteCode = FramingNote['code'];

export interface PhotoFraming {
  readonly used: FramingUsed;
  /** The photo's size as shown (EXIF orientation applied): the boxes' and the crop's pixels. */
  readonly size: Size;
  /** Faces found, best first (empty when none was looked for). */
  readonly faces: readonly Face[];
  /** The region the model saw, with the model's aspect ratio; it may reach past the photo (padded). */
  readonly crop: Box;
}

export interface VideoFraming {
  readonly used: FramingUsed;
  /** The video's frame size as shown (rotation applied). */
  readonly size: Size;
  /** The followed face's first box and the union of its boxes (null when none was looked for or found). */
  readonly firstFace: Face | null;
  readonly faceUnion: Box | null;
  /** Frames the detector ran on (one in `every`) and those in which the followed face was found. */
  readonly framesLookedAt: number;
  readonly framesWithFace: number;
  readonly every: number;
  readonly crop: Box;
}

export interface FramingReport {
  readonly requested: FramingMode;
  /** What the model's manifest says its training data was. */
  readonly model: TrainingFraming;
  readonly photo: PhotoFraming;
  readonly video: VideoFraming;
  /** The clip's frame size, and whether the generated square was pasted back into the photo. */
  readonly output: { readonly width: number; readonly height: number; readonly pasteBack: boolean };
  readonly notes: readonly FramingNote[];
  /** Time spent finding faces (both inputs, the video pass included), in ms. */
  readonly framingMs: number;
}
