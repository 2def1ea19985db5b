/**
 * The TypeScript converter against the Python one (the reference) on small architectures, with every option:
 * a seeded checkpoint converted both ways gives the same manifest, the same ONNX inputs, outputs and metadata,
 * and keypoints and frames within 1e-5 on onnxruntime (float16 ones within a float16 rounding). Small configs
 * reach paths the built-in ones do not: zero-order keypoints, a detector with padding, non-square frames, a
 * deformation resized to the features. Also: each config's weight layout is the Python modules' state_dict.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CONFIGS, PUBLISHED_FRAME_SIZE, PUBLISHED_MODELS } from '../../src/convert/builtin-configs.js';
import { convertCheckpoint } from '../../src/convert/convert-checkpoint.js';
import type { FommConfig } from '../../src/convert/fomm/model-params.js';
import { generatorLayout, kpDetectorLayout } from '../../src/convert/fomm/state-dict-layout.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { comparable, differences, manifestText, networkInputs, onnxCheck, run } from './equivalence.js';
import { onnxSummary } from './onnx-summary.js';
import {
  convertManyWithPython,
  makeRandomCheckpoint,
  stateDictLayoutsFromPython,
  type StateDictLayout,
  testConfig,
  NO_PYTHON,
  PYTHON_READY,
} from './helpers.js';
import { tempDir } from '../support/temp-dir.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

let work: string;
beforeAll(async () => {
  work = tempDir('marionette-convert-ts-options-');
});

interface Case {
  readonly label: string;
  readonly config: 'small' | 'small-zero-order';
  readonly format: 'legacy' | 'zip';
  /** The Python converter's options, and the same for the TypeScript one. */
  readonly python: readonly string[];
  readonly typescript: Partial<Parameters<typeof convertCheckpoint>[0]>;
  /** How far the two may differ: float32 rounding, or float16 rounding where the generator computes in float16. */
  readonly tolerance: number;
}

const CASES: readonly Case[] = [
  { label: 'default options', config: 'small', format: 'legacy', python: [], typescript: {}, tolerance: 1e-5 },
  { label: 'zero-order, non-square, zip format', config: 'small-zero-order', format: 'zip', python: [], typescript: {}, tolerance: 1e-5 },
  {
    label: '--upsample-interleave depth-to-space',
    config: 'small',
    format: 'legacy',
    python: ['--upsample-interleave', 'depth-to-space'],
    typescript: { interleave: 'depth-to-space' },
    tolerance: 1e-5,
  },
  { label: '--no-winograd', config: 'small', format: 'legacy', python: ['--no-winograd'], typescript: { winograd: false }, tolerance: 1e-5 },
  { label: '--plain', config: 'small', format: 'legacy', python: ['--plain'], typescript: { plain: true }, tolerance: 1e-5 },
  { label: '--plain, zero-order', config: 'small-zero-order', format: 'zip', python: ['--plain'], typescript: { plain: true }, tolerance: 1e-5 },
  { label: '--precision mixed', config: 'small', format: 'legacy', python: ['--precision', 'mixed'], typescript: { precision: 'mixed' }, tolerance: 2e-3 },
  {
    label: '--precision mixed --no-winograd',
    config: 'small',
    format: 'legacy',
    python: ['--precision', 'mixed', '--no-winograd'],
    typescript: { precision: 'mixed', winograd: false },
    tolerance: 2e-3,
  },
  { label: '--precision fp16', config: 'small', format: 'legacy', python: ['--precision', 'fp16'], typescript: { precision: 'fp16' }, tolerance: 2e-3 },
];

describe.skipIf(noPython).each(CASES)(
  'GIVEN a seeded $config checkpoint converted both ways with $label',
  ({ config, format, python, typescript, tolerance }) => {
    let ours: string;
    let reference: string;
    let fomm: FommConfig;

    beforeAll(async () => {
      const dir = join(work, `${config}-${python.join('').replace(/-/g, '') || 'default'}`);
      const checkpoint = join(dir, `${config}.pth.tar`);
      await mkdir(dir, { recursive: true });
      await makeRandomCheckpoint(config, checkpoint, { format, seed: 5 });
      fomm = await testConfig(config);
      // Both folders are named after the config (the model's name comes from the folder).
      reference = join(dir, 'python', config);
      ours = join(dir, 'typescript', config);
      await convertManyWithPython(checkpoint, [config], join(dir, 'python'), python);
      await convertCheckpoint({ checkpoint, config: fomm, out: ours, ...typescript });
    }, 180_000);

    it('THEN the manifests are the same text', async () => {
      expect(await manifestText(ours)).toBe(await manifestText(reference));
    });

    it('THEN both networks pass onnx’s checker and have the same inputs, outputs, opset and metadata (the converter named aside)', async () => {
      for (const file of ['kp_detector.onnx', 'generator.onnx']) {
        const [a, b] = [await onnxSummary(join(ours, file)), await onnxSummary(join(reference, file))];
        expect(comparable(a), file).toEqual(comparable(b));
        expect(a.metadata['marionette.converter']).toMatch(/^marionette \S+ \(TypeScript\)$/);
      }
      await onnxCheck(join(ours, 'kp_detector.onnx'), join(ours, 'generator.onnx'));
    });

    it(`THEN onnxruntime computes the same keypoints and frames from the same inputs (within ${tolerance})`, async () => {
      const inputs = await networkInputs(join(ours, 'kp_detector.onnx'), { width: fomm.width, height: fomm.height }, fomm.params.numKp);
      const kp = differences(await run(join(ours, 'kp_detector.onnx'), inputs.kp), await run(join(reference, 'kp_detector.onnx'), inputs.kp));
      expect(kp['kp_value']).toBeLessThanOrEqual(1e-5);
      expect(kp['kp_jacobian']).toBeLessThanOrEqual(1e-5);
      const frames = await run(join(ours, 'generator.onnx'), inputs.generator);
      const gen = differences(frames, await run(join(reference, 'generator.onnx'), inputs.generator));
      expect(gen['prediction']).toBeLessThanOrEqual(tolerance);
      // A frame was drawn: not flat.
      expect(Math.max(...frames['prediction']!) - Math.min(...frames['prediction']!)).toBeGreaterThan(0.1);
    });
  },
);

describe.skipIf(noPython)('GIVEN each built-in config and the test configs', () => {
  const names = [...BUILTIN_CONFIGS, 'small', 'small-zero-order'] as const;
  let layouts: Record<string, StateDictLayout>;
  beforeAll(async () => {
    layouts = await stateDictLayoutsFromPython(names);
  }, 120_000);

  it.each(names)('THEN the weights the TypeScript converter expects of %s are the Python modules’ state_dict, in order', async (name) => {
    const python = layouts[name]!;
    const params = name === 'small' || name === 'small-zero-order' ? (await testConfig(name)).params : PUBLISHED_MODELS[name].modelParams;
    const ours = (layout: ReturnType<typeof kpDetectorLayout>) => layout.map((w) => [w.name, [...w.shape]]);
    expect(ours(kpDetectorLayout(params))).toEqual(python.kp_detector);
    expect(ours(generatorLayout(params))).toEqual(python.generator);
  });

  it('THEN every built-in config has the published 256x256 frame', () => {
    expect(PUBLISHED_FRAME_SIZE).toBe(256);
  });
});

describe.skipIf(noPython)('GIVEN a conversion whose signal is aborted', () => {
  it('THEN it stops with an AbortError before writing a network', async () => {
    const checkpoint = join(work, 'abort.pth.tar');
    await makeRandomCheckpoint('small', checkpoint, { optimizerMoments: false });
    const out = join(work, 'aborted', 'small');
    const converting = convertCheckpoint({ checkpoint, config: await testConfig('small'), out, signal: AbortSignal.abort() });
    await expect(converting).rejects.toMatchObject({ name: 'AbortError' });
  });
});
