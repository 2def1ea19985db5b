import { movementScale, normalizeKeypoints, type Keypoints } from '../../src/engine/keypoints/index.js';
import { maxAbsDiff, type Reference } from './helpers.js';

export interface NormalizeParity {
  readonly name: string;
  readonly valueDiff: number;
  readonly jacobianDiff: number;
  readonly scaleDiff: number;
}

/**
 * The engine's normalizeKeypoints against the PyTorch reference of FOMM's normalize_kp
 * for every case the reference holds (relative with adapted scale, relative, absolute).
 */
export async function normalizeParity(reference: Reference): Promise<NormalizeParity[]> {
  const keypoints = async ([value, jacobian]: [string, string]): Promise<Keypoints> => ({
    value: (await reference.tensor(value)).data,
    jacobian: (await reference.tensor(jacobian)).data,
  });
  const out: NormalizeParity[] = [];
  for (const c of reference.json.normalize) {
    const source = await keypoints(c.source);
    const driving = await keypoints(c.driving);
    const initial = await keypoints(c.drivingInitial);
    const expected = await keypoints(c.expected);
    const got = normalizeKeypoints(source, driving, initial, { relative: c.relative, adaptScale: c.adaptScale });
    const scale = c.adaptScale ? movementScale(source, initial) : 1;
    out.push({
      name: c.name,
      valueDiff: maxAbsDiff(got.value, expected.value),
      jacobianDiff: maxAbsDiff(got.jacobian, expected.jacobian),
      scaleDiff: Math.abs(scale - c.movementScale),
    });
  }
  return out;
}
