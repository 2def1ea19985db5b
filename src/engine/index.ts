/** Marionette's animation engine: photo + driving video → clip. Knows nothing of Discord or SQLite. */
export { Engine, animate } from './engine.js';
export { DEFAULT_MODEL_DIR, defaultBatchSize } from './animate.js';
export { CancelledError, EngineError, InputError, isInputError, withoutPaths, type InputErrorCode } from './errors.js';
export type { AnimateOptions, AnimateProgress, AnimateResult, AnimatePhase, BestFrame, EngineOptions, StageTimings } from './options.js';
export { DEVICE_REQUESTS, planProviders, type DeviceRequest, type ProviderName } from './model/execution-provider.js';
export { readModelFolder, listModelFolders, type ModelFolder } from './model/model-folder.js';
export type { ModelManifest, AnimationMode } from './model/manifest.js';
export { DEFAULT_LIMITS, type MediaLimits } from './media/limits.js';
export { probeMedia } from './media/probe.js';
export { verifyPhotoDecodes } from './media/decode.js';
export { checkPhoto, checkVideo } from './media/media-checks.js';
export { OUTPUT_FORMATS, outputFormatFor, type OutputFormat } from './media/output-format.js';
export { centredCrop, type CropRule } from './media/crop.js';
export { resolveFfmpeg } from './media/ffmpeg-path.js';
export { inBackground } from './media/background-priority.js';
export { fitClipToLimit } from './media/fit-clip.js';
export type { FitInput } from './media/fit-plan.js';
