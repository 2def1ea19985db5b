/**
 * The TypeScript checkpoint reader (src/convert/checkpoint/) on files PyTorch wrote, in both formats: the two
 * networks' state_dicts are found with their names in order, and every tensor read — float32, float16, int64,
 * views with offsets and strides, storages shared by several tensors — holds exactly the values torch.load gives.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/convert/checkpoint/read-checkpoint.js';
import { NETWORKS } from '../../src/convert/checkpoint/state-dicts.js';
import { skipUnlessAvailable } from '../support/ci.js';
import { makeRandomCheckpoint, runPython, NO_PYTHON, PYTHON_READY } from './helpers.js';
import { tempDir } from '../support/temp-dir.js';

const noPython = skipUnlessAvailable(PYTHON_READY, NO_PYTHON);

/** Every tensor of both networks as torch.load reads it: name → [shape, values]. */
type Dump = Record<string, Record<string, [number[], number[]]>>;

const DUMP = [
  'import json, sys, torch',
  'data = torch.load(sys.argv[1], map_location="cpu")',
  'out = {}',
  'for net in ("kp_detector", "generator"):',
  '    state = {k[len("module."):] if all(n.startswith("module.") for n in data[net]) else k: v for k, v in data[net].items()}',
  '    out[net] = {k: [list(v.shape), v.double().flatten().tolist()] for k, v in state.items()}',
  'print(json.dumps(out))',
].join('\n');

/** Tensors of every kind the reader must handle, in a checkpoint laid out as the official ones. */
const ODD_TENSORS = [
  'import sys, torch, collections',
  'torch.manual_seed(3)',
  'base = torch.randn(6, 5)',
  'kp = collections.OrderedDict([',
  '    ("half", torch.randn(3, 4).half()),',
  '    ("long", torch.arange(-5, 7)),',
  '    ("transposed", base.t()),',
  '    ("row_slice", base[2:4]),',
  '    ("column", base[:, 3]),',
  '    ("whole", base),',
  '    ("scalar", torch.tensor(2.5)),',
  '])',
  'gen = collections.OrderedDict((f"module.{k}", v) for k, v in torch.nn.Conv2d(3, 2, 3).state_dict().items())',
  'opt = {"state": {0: {"step": 3, "exp_avg": torch.zeros(7)}}, "param_groups": [{"lr": 2e-4, "betas": (0.5, 0.999), "params": [0]}]}',
  'checkpoint = {"kp_detector": kp, "generator": gen, "optimizer_generator": opt, "epoch": 99}',
  'torch.save(checkpoint, sys.argv[1], _use_new_zipfile_serialization=False)',
  'torch.save(checkpoint, sys.argv[2])',
].join('\n');

let work: string;
beforeAll(async () => {
  work = tempDir('marionette-checkpoint-reader-');
});

async function torchDump(path: string): Promise<Dump> {
  const result = await runPython(['-c', DUMP, path]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Dump;
}

async function expectSameAsTorch(path: string): Promise<void> {
  const want = await torchDump(path);
  const checkpoint = await Checkpoint.open(path);
  try {
    for (const net of NETWORKS) {
      const state = checkpoint.networks[net];
      expect([...state.keys()], net).toEqual(Object.keys(want[net]!));
      for (const [name, tensor] of state) {
        const [shape, values] = want[net]![name]!;
        expect(tensor.shape, name).toEqual(shape);
        expect(Array.from(await checkpoint.read(tensor)), name).toEqual(values.map((v) => Math.fround(v)));
      }
    }
  } finally {
    await checkpoint.close();
  }
}

describe.skipIf(noPython).each(['legacy', 'zip'] as const)('GIVEN a checkpoint in the official layout, %s format', (format) => {
  it('THEN the kp_detector and generator weights are found in order, each tensor as torch.load reads it', async () => {
    const path = join(work, `small-${format}.pth.tar`);
    await makeRandomCheckpoint('small', path, { format });
    await expectSameAsTorch(path);
    const checkpoint = await Checkpoint.open(path);
    expect(checkpoint.format).toBe(format);
    await checkpoint.close();
  });
});

describe.skipIf(noPython)('GIVEN float16, int64, views, shared storages and a DataParallel prefix', () => {
  it('THEN both formats read them exactly, the prefix removed', async () => {
    const legacy = join(work, 'odd-legacy.pth');
    const zip = join(work, 'odd-zip.pth');
    const made = await runPython(['-c', ODD_TENSORS, legacy, zip]);
    expect(made.code, made.stderr).toBe(0);
    for (const path of [legacy, zip]) await expectSameAsTorch(path);
    const checkpoint = await Checkpoint.open(zip);
    expect([...checkpoint.networks.generator.keys()]).toEqual(['weight', 'bias']);
    expect(checkpoint.networks.kp_detector.get('transposed')?.stride).toEqual([1, 5]);
    await checkpoint.close();
  });
});
