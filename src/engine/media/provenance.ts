import { open, readFile, rename, writeFile } from 'node:fs/promises';

/**
 * The "AI-generated" provenance written into every output file's metadata.
 * Container tags for MP4 (with use_metadata_tags), WebM and MKV; a GIF Comment
 * Extension for GIF, whose muxer in ffmpeg writes none.
 */
export interface Provenance {
  readonly modelName: string;
  readonly version: string;
}

export function provenanceTags(p: Provenance): Record<string, string> {
  const sentence = `AI-generated with Marionette ${p.version} (First Order Motion Model, model "${p.modelName}"). Not a real recording.`;
  return {
    comment: sentence,
    description: sentence,
    ai_generated: 'true',
    ai_generator: `Marionette ${p.version}`,
    ai_model: p.modelName,
  };
}

export function metadataArgs(tags: Record<string, string>): string[] {
  return Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
}

/**
 * Inserts a GIF Comment Extension (0x21 0xFE, ≤255-byte sub-blocks) right after
 * the header, logical screen descriptor and global colour table.
 */
export function withGifComment(gif: Uint8Array, comment: string): Uint8Array {
  if (gif.length < 13 || String.fromCharCode(...gif.subarray(0, 3)) !== 'GIF') throw new Error('not a GIF file');
  const flags = gif[10]!;
  const gctBytes = flags & 0x80 ? 3 * (1 << ((flags & 0x07) + 1)) : 0;
  const at = 13 + gctBytes;
  const text = new TextEncoder().encode(comment);
  const blocks: number[] = [0x21, 0xfe];
  for (let i = 0; i < text.length; i += 255) {
    const part = text.subarray(i, i + 255);
    blocks.push(part.length, ...part);
  }
  blocks.push(0);
  const out = new Uint8Array(gif.length + blocks.length);
  out.set(gif.subarray(0, at), 0);
  out.set(blocks, at);
  out.set(gif.subarray(at), at + blocks.length);
  return out;
}

/** Rewrites a GIF file in place with the comment (via a temporary file and rename). */
export async function addGifComment(path: string, comment: string): Promise<void> {
  const data = await readFile(path);
  const tmp = `${path}.comment`;
  await writeFile(tmp, withGifComment(data, comment));
  const fh = await open(tmp, 'r+');
  await fh.sync();
  await fh.close();
  await rename(tmp, path);
}
