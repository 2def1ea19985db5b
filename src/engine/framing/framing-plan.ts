import { centredCrop, type CropRule, type Size } from '../media/crop.js';
import type { TrainingFraming } from '../model/manifest.js';
import type { Box, Face } from './box.js';
import { faceRegion, wholeRegion } from './crop-geometry.js';
import { largest, type TrackSummary } from './face-track.js';
import type { FramingMode, FramingNote, FramingUsed } from './report.js';

/**
 * The framing decisions, pure: what framing applies, and from the faces found, each input's region and the notes.
 */
/** Faces smaller than this (their box's longer side, in the input's pixels) are not used: the model would see mush. */
export const MIN_FACE_SIDE = 40;

/** What framing the job does: the caller's choice, or the model's for auto; `custom` with a crop rule of the caller's. */
export function chooseFraming(requested: FramingMode, model: TrainingFraming, customRule: boolean): FramingUsed {
  if (customRule) return 'custom';
  return requested === 'auto' ? model : requested;
}

export interface InputChoice {
  readonly used: FramingUsed;
  readonly region: Box;
  readonly notes: FramingNote[];
}

/** The centred region the demo model and the fallback use (the centred square, the model's aspect ratio). */
export function centredRegion(frame: Size, target: Size): Box {
  return centredCrop(frame, target);
}

export function regionFor(used: 'whole' | 'centre', frame: Size, target: Size): Box {
  return used === 'whole' ? wholeRegion(frame, target) : centredRegion(frame, target);
}

/** The photo: its largest face big enough, framed as crop-video.py frames a face; else centred, with a note. */
export function choosePhotoRegion(faces: readonly Face[], frame: Size, target: Size): InputChoice {
  const usable = faces.filter((f) => Math.max(f.width, f.height) >= MIN_FACE_SIDE);
  const notes: FramingNote[] = [];
  if (faces.length > 1) notes.push({ code: 'several-faces', input: 'photo', count: faces.length });
  const face = largest(usable);
  if (face) return { used: 'face', region: faceRegion(face, frame, target), notes };
  if (faces.length > 0) notes.push({ code: 'face-too-small', input: 'photo', side: Math.round(Math.max(...faces.map((f) => Math.max(f.width, f.height)))) });
  else notes.push({ code: 'no-face-in-photo' });
  return { used: 'centre', region: centredRegion(frame, target), notes };
}

/** The video: one region for the whole clip from the union of the followed face's boxes; else centred, with a note. */
export function chooseVideoRegion(track: TrackSummary, frame: Size, target: Size): InputChoice {
  const notes: FramingNote[] = [];
  if (track.mostFaces > 1) notes.push({ code: 'several-faces', input: 'video', count: track.mostFaces });
  const first = track.first;
  if (!first || !track.union) {
    notes.push({ code: 'no-face-in-video' });
    return { used: 'centre', region: centredRegion(frame, target), notes };
  }
  const side = Math.max(first.width, first.height);
  if (side < MIN_FACE_SIDE) {
    notes.push({ code: 'face-too-small', input: 'video', side: Math.round(side) });
    return { used: 'centre', region: centredRegion(frame, target), notes };
  }
  if (track.lost.length > 0) notes.push({ code: 'face-lost', ranges: track.lost });
  return { used: 'face', region: faceRegion(track.union, frame, target), notes };
}

export type { CropRule };
