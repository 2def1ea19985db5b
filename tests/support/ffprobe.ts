import { execFileSync } from 'node:child_process';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';

/** ffprobe's view of an output file, for assertions. */
export interface Probed {
  readonly formatTags: Record<string, string>;
  readonly video: { codec: string; width: number; height: number; frames: number; rate: string; pixFmt: string } | null;
  readonly audio: { codec: string; seconds: number } | null;
  /** The container's duration, seconds. */
  readonly seconds: number;
}

export function probe(path: string): Probed {
  const { ffprobe } = resolveFfmpeg();
  const out = execFileSync(ffprobe, ['-v', 'error', '-count_frames', '-show_format', '-show_streams', '-of', 'json', path]).toString();
  const json = JSON.parse(out) as {
    format: { tags?: Record<string, string>; duration?: string };
    streams: Array<Record<string, string | number | undefined>>;
  };
  const v = json.streams.find((s) => s['codec_type'] === 'video');
  const a = json.streams.find((s) => s['codec_type'] === 'audio');
  const lower = (tags: Record<string, string> = {}) => Object.fromEntries(Object.entries(tags).map(([k, val]) => [k.toLowerCase(), val]));
  const streamTags = lower((v?.['tags'] as unknown as Record<string, string>) ?? {});
  return {
    formatTags: { ...streamTags, ...lower(json.format.tags) },
    video: v
      ? {
          codec: String(v['codec_name']),
          width: Number(v['width']),
          height: Number(v['height']),
          frames: Number(v['nb_read_frames']),
          rate: String(v['avg_frame_rate']),
          pixFmt: String(v['pix_fmt']),
        }
      : null,
    audio: a ? { codec: String(a['codec_name']), seconds: Number(a['duration']) } : null,
    seconds: Number(json.format.duration),
  };
}
