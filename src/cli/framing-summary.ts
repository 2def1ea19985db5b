import type { FramingNote, FramingReport } from '../engine/framing/report.js';
import type { AnimateResult } from '../engine/options.js';

/**
 * The summary's framing line: how each input was framed, and in one sentence what happened when no usable face
 * was found (and what was done instead). Empty for centred framing without notes (the demo model).
 */
export function framingLine(r: AnimateResult): string {
  const f = r.framing;
  const fallback = fallbackSentence(f.notes);
  if (f.photo.used === 'centre' && f.video.used === 'centre' && !fallback && f.requested !== 'face') return '';
  const pasted = f.output.pasteBack ? ', pasted back into the photo' : '';
  const how = `Framing: photo ${described(f.photo.used)}, video ${described(f.video.used)}${pasted} (${(f.framingMs / 1000).toFixed(1)} s).`;
  return `${[how, fallback, lostSentence(f)].filter((s) => s !== '').join(' ')}\n`;
}

function described(used: FramingReport['photo']['used']): string {
  return { face: 'around the face', whole: 'whole', centre: 'centred', custom: 'by a custom rule' }[used];
}

/** "No face was found in the photo or the video, so both were centred." */
export function fallbackSentence(notes: readonly FramingNote[]): string {
  const where = (code: 'photo' | 'video') => notes.some((n) => n.code === `no-face-in-${code}` || (n.code === 'face-too-small' && n.input === code));
  const photo = where('photo');
  const video = where('video');
  if (photo && video) return 'No usable face was found in the photo or the video, so both were centred instead.';
  if (photo) return 'No usable face was found in the photo, so it was centred instead.';
  if (video) return 'No usable face was found in the video, so it was centred instead.';
  return '';
}

function lostSentence(f: FramingReport): string {
  const lost = f.notes.find((n) => n.code === 'face-lost');
  if (!lost || lost.code !== 'face-lost') return '';
  const ranges = lost.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}–${r.to}`)).join(', ');
  return `The video's face was lost in frames ${ranges}; the crop was kept.`;
}
