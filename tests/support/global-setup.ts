import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';

/**
 * Before any test: ffmpeg and ffprobe are what Marionette runs on, and nearly every test decodes or encodes.
 * Without them the run stops here with one sentence saying how to install them, instead of hundreds of failures.
 */
export default function setup(): void {
  try {
    resolveFfmpeg();
  } catch (e) {
    throw new Error(`The tests need ffmpeg and ffprobe, and this machine lacks them. ${(e as Error).message}`);
  }
}
