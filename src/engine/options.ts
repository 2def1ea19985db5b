import type { Logger } from '../util/log.js';
import type { DeviceRequest } from './model/execution-provider.js';
import type { AnimationMode } from './model/manifest.js';
import type { CropRule } from './media/crop.js';
import type { FramingMode, FramingReport } from './framing/report.js';
import type { OutputSize } from './framing/output-size.js';
import type { MediaLimits } from './media/limits.js';
import type { OutputFormat, VideoEncodeSettings } from './media/output-format.js';
import type { ProviderCandidate, ProviderName } from './model/execution-provider.js';

/** Where to start the driving motion from (FOMM demo's --find_best_frame). */
export type BestFrame = 'off' | 'auto' | number;

export interface AnimateOptions {
  /** The still photo to animate. */
  readonly source: string;
  /** The video whose motion drives the photo. */
  readonly driving: string;
  /** Output file; the extension picks the format (.mp4, .webm, .gif, .mkv). */
  readonly output: string;
  /** Model folder; default `models/default`. */
  readonly model?: string;
  /** relative (default): motion relative to the reference frame; absolute: the driving keypoints as they are. */
  readonly mode?: AnimationMode;
  /** Scale relative motion by the keypoint hulls' size ratio (default true). */
  readonly adaptScale?: boolean;
  readonly bestFrame?: BestFrame;
  /** Keep the driving video's audio (default true). */
  readonly audio?: boolean;
  /** Burn in the visible "AI-generated" label (default true; only the CLI can turn it off). */
  readonly label?: boolean;
  /** Frames per inference batch; default by provider. */
  readonly batchSize?: number;
  readonly limits?: Partial<MediaLimits>;
  /**
   * How to frame the photo and the video for the model (default auto: as the model's manifest says its
   * training data was framed; the centred square for the demo model). See docs/framing.md.
   */
  readonly framing?: FramingMode;
  /**
   * The clip's size: `photo`, the photo's own (long side capped at 1280, even sides) with the generated square
   * pasted back into it; `model`, the raw square the model makes; a number, the photo's capped at that long side.
   * Default: `photo`, except with centred framing (the demo model, or asked for), which keeps the model's square.
   */
  readonly outputSize?: OutputSize;
  /** A custom crop rule for both inputs (overrides framing; the clip is the model's square unless outputSize says otherwise). */
  readonly crop?: CropRule;
  readonly encode?: VideoEncodeSettings;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: AnimateProgress) => void;
  /** An id for logs (default: random). */
  readonly jobId?: string;
}

export type AnimatePhase = 'checking' | 'loading' | 'framing' | 'reference' | 'generating' | 'finishing';

export interface AnimateProgress {
  readonly phase: AnimatePhase;
  readonly framesDone: number;
  /** Frames in the video: exact once known, else the header's estimate; null when unknown. */
  readonly framesTotal: number | null;
  /** 0..100 within the phase, when the total is known. */
  readonly percent: number | null;
  /** Generated frames per second, smoothed. */
  readonly fps: number | null;
  readonly etaSeconds: number | null;
}

export interface StageTimings {
  readonly probeMs: number;
  readonly loadMs: number;
  readonly photoMs: number;
  readonly referenceMs: number;
  /** Finding the faces and the crops (the framing pass over the video included). */
  readonly framingMs: number;
  /** Main thread waiting for decoded frames. */
  readonly decodeWaitMs: number;
  readonly keypointsMs: number;
  readonly generatorMs: number;
  /** Tensor layout conversions and label burning (main thread, overlapping inference). */
  readonly convertMs: number;
  /** Main thread waiting for the encoder (backpressure and finishing). */
  readonly encodeWaitMs: number;
  /**
   * From the first batch sent to the worker to the last one back. The models
   * were busy keypointsMs + generatorMs of it; the rest is the device idle
   * between batches.
   */
  readonly inferenceSpanMs: number;
  readonly totalMs: number;
}

export interface AnimateResult {
  readonly output: string;
  readonly format: OutputFormat;
  readonly bytes: number;
  readonly frames: number;
  readonly fps: number;
  readonly durationSeconds: number;
  readonly width: number;
  readonly height: number;
  readonly model: { readonly name: string; readonly dir: string };
  readonly provider: ProviderName;
  /** Why that provider: its own reason, and each one tried before it or passed over, with why. */
  readonly providerChoice: { readonly reason: string; readonly passedOver: readonly ProviderCandidate[] };
  readonly mode: AnimationMode;
  /** Index of the driving frame used as the reference (kp_driving_initial). */
  readonly referenceFrame: number;
  /** Movement scale α used (1 without adapt-scale or in absolute mode). */
  readonly movementScale: number;
  readonly audio: boolean;
  readonly label: boolean;
  /** How each input was framed: faces found, the crop used for each, notes (no face, face lost…), the time it took. */
  readonly framing: FramingReport;
  readonly timings: StageTimings;
}

export interface EngineOptions {
  readonly device?: DeviceRequest;
  /** CPU provider threads; 0 = all cores. */
  readonly cpuThreads?: number;
  readonly logger?: Logger;
  /**
   * CPU priority of the inference thread, as `nice` (0 normal … 19 lowest): a bot animates in the background
   * of members' commands (see media/background-priority.ts). Default 0.
   */
  readonly niceness?: number;
}
