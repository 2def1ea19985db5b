import { basename } from 'node:path';
import { MANIFEST_FORMAT_VERSION, type ModelManifest, type Precision } from '../engine/model/manifest.js';
import { OFFICIAL_LICENSE, OFFICIAL_REPO, type PublishedModel } from './builtin-configs.js';
import type { FommConfig } from './fomm/model-params.js';

/**
 * manifest.json for a converted model (the engine's format, version 1), field for field what the Python
 * converter's manifest.py writes. A published model (a built-in config) gets its row of PUBLISHED_MODELS; a
 * custom config states what it cannot know.
 */
export function convertedManifest(
  name: string,
  config: FommConfig,
  published: PublishedModel | null,
  checkpointPath: string,
  generatorPrecision: Precision,
  sharedSource: boolean,
): ModelManifest {
  const checkpoint = basename(checkpointPath);
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    name,
    description: published?.description ?? `First Order Motion Model converted from ${checkpoint} with the config ${config.label}.`,
    family: 'fomm',
    inputSize: { width: config.width, height: config.height },
    numKeypoints: config.params.numKp,
    hasJacobian: config.params.estimateJacobian,
    trainedOn: published?.trainedOn ?? `not stated (custom config ${config.label})`,
    // FOMM's demo animates with relative motion (--relative); absolute needs matching poses.
    recommendedMode: 'relative',
    license: published !== null ? OFFICIAL_LICENSE : `not stated: ask whoever trained ${checkpoint}`,
    source: published !== null ? `${OFFICIAL_REPO} (${checkpoint})` : `${checkpoint} (config ${config.label})`,
    precision: { kpDetector: 'fp32', generator: generatorPrecision },
    ...(published !== null ? { framing: published.framing } : {}),
    ...(sharedSource ? { sharedSource: true } : {}),
  };
}

/** The engine's rule for model names (src/engine/model/manifest.ts): the output folder's name, lowercased. */
const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function modelNameOf(folder: string): string | null {
  const name = basename(folder).toLowerCase();
  return MODEL_NAME.test(name) ? name : null;
}
