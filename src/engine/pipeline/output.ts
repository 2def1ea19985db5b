import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Size } from '../media/crop.js';
import { FrameEncoder, makeGifPalette } from '../media/encode.js';
import { burnLabel, placeLabel } from '../media/label/label.js';
import { decoderPixelCap } from '../media/limits.js';
import { supportsAudio } from '../media/output-format.js';
import { provenanceTags } from '../media/provenance.js';
import { VERSION } from '../../version.js';
import type { CheckedInputs } from './check.js';
import type { Job } from './job.js';
import type { LoadedModel } from './load.js';

/** What a job holds open while it runs, released by whoever started it whatever happens. */
export interface JobResources {
  encoder: FrameEncoder | null;
  /** A scratch folder (the GIF palette). */
  scratch: string | null;
}

/**
 * Stage 5: the encoder, started before the first frame is generated (it takes frames as they come), with the
 * driving video's audio when the format carries audio, at the clip's size. `sample` is a representative output frame
 * (the photo as the clip shows it), for a GIF's palette.
 */
export async function startOutput(
  job: Job,
  inputs: CheckedInputs,
  model: LoadedModel,
  sample: { readonly frame: Uint8Array; readonly size: Size },
  total: number | null,
  held: JobResources,
): Promise<boolean> {
  const { format, options, limits } = job;
  const { videoInfo, video } = inputs;
  const withAudio = (options.audio ?? true) && videoInfo.audio !== null && supportsAudio(format);
  let gifPalette: string | undefined;
  if (format === 'gif') {
    held.scratch = await mkdtemp(join(tmpdir(), 'marionette-'));
    gifPalette = join(held.scratch, 'palette.png');
    // From the photo as the frames will look: with the label burned in, its white, black and box colours get
    // palette entries (from the bare photo, a photo of few colours left the label none, and it vanished).
    const { width, height } = sample.size;
    const frame = Uint8Array.from(sample.frame);
    if (options.label ?? true) burnLabel(frame, width, height, placeLabel(width, height));
    await makeGifPalette(frame, sample.size, gifPalette);
  }
  const fps = video.stream.frameRate!;
  // The audio is cut to the clip's length: the exact frame count over the rate where the header counts frames
  // (a file whose audio outlasts its video must not freeze the last frame), else the file's duration.
  const rate = fps.num / fps.den;
  const exactFrames = video.stream.frameCountExact ? video.stream.frameCount : null;
  // (The encoder also cuts the audio at the last frame; this bounds what it reads where headers count no frames.)
  const audioSeconds = Math.min(
    exactFrames !== null ? exactFrames / rate : (videoInfo.durationSeconds ?? (total ?? limits.maxFrames) / rate),
    limits.maxDurationSeconds,
  );
  const audio = withAudio
    ? {
        path: options.driving,
        demuxer: videoInfo.demuxer,
        durationSeconds: audioSeconds,
        channels: videoInfo.audio!.channels,
        caps: { maxPixels: decoderPixelCap('video', limits), maxStreams: limits.maxStreams },
      }
    : null;
  const tags = provenanceTags({ modelName: model.loaded.manifest.name, version: VERSION });
  held.encoder = FrameEncoder.start({ output: job.output, format, size: sample.size, fps, audio, tags, gifPalette, settings: options.encode });
  return withAudio;
}
