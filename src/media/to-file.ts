/** Writing a verified stream to a file that appears only when complete: a temporary file beside it, fsynced, renamed. */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function streamToFile(stream: Readable, path: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    // flush: fsync before the file is closed, so what is renamed into place is on disk.
    await pipeline(stream, createWriteStream(temporary, { flags: 'wx', flush: true }));
    await rename(temporary, path);
  } catch (e) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw e;
  }
}
