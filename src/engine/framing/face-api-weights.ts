import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * The published weights of face-api's tiny face detector, read from the npm package that ships them
 * (@vladmandic/face-api, MIT; the weights of face-api.js by Vincent Mühler). Nothing is downloaded: the
 * package is a dependency. Its weights are stored as TensorFlow.js does: a JSON manifest naming each tensor,
 * its shape and its uint8 quantisation, and one binary file of the bytes in manifest order.
 */
export const FACE_API_PACKAGE = '@vladmandic/face-api';
export const TINY_FACE_DETECTOR_MODEL = 'tiny_face_detector_model';

export interface NamedTensor {
  /** TensorFlow's layout: a convolution's filter is [kh, kw, in, out], a depthwise filter [kh, kw, channels, 1]. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export type WeightMap = ReadonlyMap<string, NamedTensor>;

interface ManifestEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quantization?: { readonly dtype: string; readonly scale: number; readonly min: number };
}

/** The package's model folder (a ConfigError when the dependency is not installed). */
export function faceApiModelFolder(): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve(`${FACE_API_PACKAGE}/package.json`)), 'model');
  } catch (e) {
    throw new ConfigError(`The face detector's weights (the npm package ${FACE_API_PACKAGE}) are not installed; run "npm install".`, {
      cause: (e as Error).message,
    });
  }
}

/** Reads and dequantises one model's weights from the package. */
export async function readFaceApiWeights(model: string = TINY_FACE_DETECTOR_MODEL, folder: string = faceApiModelFolder()): Promise<WeightMap> {
  const manifest = JSON.parse(await readFile(join(folder, `${model}-weights_manifest.json`), 'utf8')) as Array<{ paths: string[]; weights: ManifestEntry[] }>;
  const weights = new Map<string, NamedTensor>();
  for (const group of manifest) {
    const bytes = Buffer.concat(await Promise.all(group.paths.map((p) => readFile(join(folder, p)))));
    let offset = 0;
    for (const entry of group.weights) {
      const { tensor, byteLength } = decodeTensor(entry, bytes, offset);
      weights.set(entry.name, tensor);
      offset += byteLength;
    }
    if (offset !== bytes.length) throw new ConfigError(`The face detector's weights in ${FACE_API_PACKAGE} do not match their manifest.`, { model });
  }
  return weights;
}

/** One tensor from the weight bytes: uint8-quantised (value = q × scale + min, as TensorFlow.js decodes it) or float32. */
export function decodeTensor(entry: ManifestEntry, bytes: Uint8Array, offset: number): { tensor: NamedTensor; byteLength: number } {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  const q = entry.quantization;
  if (q && q.dtype === 'uint8') {
    for (let i = 0; i < count; i++) data[i] = bytes[offset + i]! * q.scale + q.min;
    return { tensor: { shape: entry.shape, data }, byteLength: count };
  }
  if (!q && entry.dtype === 'float32') {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    return { tensor: { shape: entry.shape, data }, byteLength: count * 4 };
  }
  throw new ConfigError(`The face detector's weight ${entry.name} has a storage type this Marionette does not read (${q?.dtype ?? entry.dtype}).`);
}
