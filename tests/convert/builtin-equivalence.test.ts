/**
 * The Python converter as the reference of the TypeScript one, for every built-in config at full size (the
 * published 256×256 architectures: 14M + 46M parameters). The eight configs have two architectures: mgif's
 * (one jacobian map shared by all keypoints) and the one the other seven share. Conversions are shared
 * accordingly: a seeded checkpoint of each architecture is converted both ways in full (vox: legacy format;
 * mgif: zip) and onnxruntime must compute keypoints and frames within 1e-5 of each other from one batch of
 * inputs; for every config, the TypeScript conversion must then hold those same networks (the same graph,
 * byte for byte), the model_params, manifest.json and ONNX metadata the Python converter gives that config.
 * About a minute and a half on two cores, most of it the Python exports.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CONFIGS, PUBLISHED_MODELS, type BuiltinConfig } from '../../src/convert/builtin-configs.js';
import { convertCheckpoint } from '../../src/convert/convert-checkpoint.js';
import { fromOfficialModelParams } from '../../src/convert/fomm/model-params.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { comparable, differences, manifestText, networkInputs, onnxCheck, run } from './equivalence.js';
import { convertManyWithPython, makeRandomCheckpoint, runPython, NO_PYTHON, PYTHON_READY } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';
import { onnxSummary } from './onnx-summary.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);
const HEAVY = 900_000;
const FILES = ['kp_detector.onnx', 'generator.onnx'] as const;

/** Each config's architecture, named by the config converted in full both ways. */
const architectureOf = (config: BuiltinConfig): 'vox' | 'mgif' => (config === 'mgif' ? 'mgif' : 'vox');

interface Described {
  readonly manifest: string;
  readonly metadata: Record<string, string>;
  readonly generatorMetadata: Record<string, string>;
  readonly modelParams: unknown;
}

let work: string;
let described: Record<string, Described>;
const checkpointOf = (config: BuiltinConfig) => join(work, `${architectureOf(config)}-seeded.pth.tar`);
const python = (config: 'vox' | 'mgif') => join(work, 'python', config);
const typescript = (config: BuiltinConfig) => join(work, 'typescript', config);

/** What the Python converter writes for each config besides the networks (testing/cli.py describe-conversion). */
async function describeConversions(): Promise<Record<string, Described>> {
  const out: Record<string, Described> = {};
  for (const architecture of ['vox', 'mgif'] as const) {
    const configs = BUILTIN_CONFIGS.filter((c) => architectureOf(c) === architecture);
    const result = await runPython([
      '-m',
      'marionette_convert.testing',
      'describe-conversion',
      '--checkpoint',
      checkpointOf(architecture),
      '--configs',
      configs.join(','),
    ]);
    expect(result.code, result.stderr).toBe(0);
    Object.assign(out, JSON.parse(result.stdout));
  }
  return out;
}

describe.skipIf(noPython)('GIVEN a seeded full-size checkpoint of each built-in architecture', () => {
  beforeAll(async () => {
    work = tempDir('marionette-convert-builtins-');
    // Adam's moments would triple the files; the layout is the official one without them.
    await makeRandomCheckpoint('vox', checkpointOf('vox'), { seed: 21, optimizerMoments: false });
    await makeRandomCheckpoint('mgif', checkpointOf('mgif'), { seed: 22, optimizerMoments: false, format: 'zip' });
    for (const architecture of ['vox', 'mgif'] as const) await convertManyWithPython(checkpointOf(architecture), [architecture], join(work, 'python'));
    for (const config of BUILTIN_CONFIGS) await convertCheckpoint({ checkpoint: checkpointOf(config), config, out: typescript(config) });
    described = await describeConversions();
  }, HEAVY);

  it.each(['vox', 'mgif'] as const)(
    'WHEN converted both ways with --config %s THEN onnx’s checker passes ours and onnxruntime computes keypoints and a frame within 1e-5',
    async (config) => {
      await onnxCheck(...FILES.map((f) => join(typescript(config), f)));
      const inputs = await networkInputs(join(python(config), 'kp_detector.onnx'), { width: 256, height: 256 }, 10);
      for (const [file, feeds] of [
        ['kp_detector.onnx', inputs.kp],
        ['generator.onnx', inputs.generator],
      ] as const) {
        const diff = differences(await run(join(typescript(config), file), feeds), await run(join(python(config), file), feeds));
        for (const [output, d] of Object.entries(diff)) expect(d, `${file} ${output}`).toBeLessThanOrEqual(1e-5);
      }
      // describe-conversion tells what convert() writes.
      expect(await manifestText(python(config))).toBe(described[config]!.manifest);
    },
    HEAVY,
  );

  it.each(BUILTIN_CONFIGS)('WITH --config %s THEN the model_params are the Python converter’s', (config) => {
    expect(PUBLISHED_MODELS[config].modelParams).toEqual(fromOfficialModelParams(described[config]!.modelParams));
  });

  it.each(BUILTIN_CONFIGS)('WITH --config %s THEN manifest.json is the text the Python converter writes', async (config) => {
    expect(await manifestText(typescript(config))).toBe(described[config]!.manifest);
  });

  it.each(BUILTIN_CONFIGS)(
    'WITH --config %s THEN the networks are those checked against the Python conversion, with that config’s metadata',
    async (config) => {
      const architecture = architectureOf(config);
      for (const file of FILES) {
        const ours = await onnxSummary(join(typescript(config), file));
        const reference = await onnxSummary(join(python(architecture), file));
        expect(ours.graphHash, file).toBe((await onnxSummary(join(typescript(architecture), file))).graphHash);
        const expected = file === 'generator.onnx' ? described[config]!.generatorMetadata : described[config]!.metadata;
        expect(comparable(ours), file).toEqual({ ...comparable(reference), metadata: comparable({ ...ours, metadata: expected }).metadata });
      }
    },
  );
});
