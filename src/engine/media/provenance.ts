import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

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
 * Where a GIF Comment Extension (0x21 0xFE, ≤255-byte sub-blocks) goes — right after the header,
 * logical screen descriptor and global colour table — and its bytes. `head` needs the first
 * 13 bytes of the file (781 cover any colour table).
 */
export function gifCommentInsertion(head: Uint8Array, comment: string): { readonly at: number; readonly block: Uint8Array } {
  if (head.length < 13 || String.fromCharCode(...head.subarray(0, 3)) !== 'GIF') throw new Error('not a GIF file');
  const flags = head[10]!;
  const gctBytes = flags & 0x80 ? 3 * (1 << ((flags & 0x07) + 1)) : 0;
  const text = new TextEncoder().encode(comment);
  const blocks: number[] = [0x21, 0xfe];
  for (let i = 0; i < text.length; i += 255) {
    const part = text.subarray(i, i + 255);
    blocks.push(part.length, ...part);
  }
  blocks.push(0);
  return { at: 13 + gctBytes, block: Uint8Array.from(blocks) };
}

/** The whole GIF with the comment inserted (for small files and tests). */
export function withGifComment(gif: Uint8Array, comment: string): Uint8Array {
  const { at, block } = gifCommentInsertion(gif, comment);
  const out = new Uint8Array(gif.length + block.length);
  out.set(gif.subarray(0, at), 0);
  out.set(block, at);
  out.set(gif.subarray(at), at + block.length);
  return out;
}

/**
 * Rewrites a GIF file with the comment, streaming (a long GIF can be hundreds of megabytes:
 * memory must not grow with it): the head and comment, then the rest of the file, into a
 * temporary file that replaces the original once synced; removed if anything fails.
 */
export async function addGifComment(path: string, comment: string): Promise<void> {
  const head = Buffer.alloc(13 + 768);
  const source = await open(path, 'r');
  let insertion: ReturnType<typeof gifCommentInsertion>;
  try {
    const { bytesRead } = await source.read(head, 0, head.length, 0);
    insertion = gifCommentInsertion(head.subarray(0, bytesRead), comment);
  } finally {
    await source.close();
  }
  const tmp = `${path}.comment`;
  try {
    const out = createWriteStream(tmp, { flags: 'wx' });
    out.write(head.subarray(0, insertion.at));
    out.write(insertion.block);
    await pipeline(createReadStream(path, { start: insertion.at }), out);
    const fh = await open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
