/**
 * How a clip was framed, in one line for the member when it matters: no usable face was found (so an input was
 * centred instead), or the video's face was lost for a stretch. The engine reports these as notes (data, kept
 * with the job by the store: ResultNote); nothing is said when the face was found and followed.
 */
import type { ResultNote } from '../../store/index.js';

const mentions = (notes: readonly ResultNote[], input: 'photo' | 'video') =>
  notes.some((n) => n.code === `no-face-in-${input}` || (n.code === 'face-too-small' && n.input === input));

/** One line, or '' when there is nothing to say. */
export function framingNoteText(notes: readonly ResultNote[]): string {
  const photo = mentions(notes, 'photo');
  const video = mentions(notes, 'video');
  if (photo && video) return 'No clear face was found in the photo or the video, so both were centred instead.';
  if (photo) return 'No clear face was found in the photo, so it was centred instead.';
  if (video) return 'No clear face was found in the video, so it was centred instead.';
  if (notes.some((n) => n.code === 'face-lost')) return 'The face left the video for a while; the framing was kept steady through it.';
  return '';
}

/** A clip's message: its header (if any), the framing line (if any), then the disclaimer — always last, always there. */
export function clipMessage(header: string | null, notes: readonly ResultNote[], disclaimer: string): string {
  return [header, framingNoteText(notes), disclaimer].filter((line): line is string => line !== null && line !== '').join('\n');
}
