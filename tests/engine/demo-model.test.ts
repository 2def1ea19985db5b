import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { renderShape } from '../../src/demo/synthetic-media.js';
import { buildDemoModel } from '../../src/demo-model/demo-model.js';
import { parseManifest } from '../../src/engine/model/manifest.js';
import { rgb24ToPlanar } from '../../src/engine/worker/tensor-layout.js';
import { REPO_ROOT } from '../support/cli.js';

const MODEL = join(REPO_ROOT, 'models', 'default');

describe('the built-in demo model', () => {
  it('GIVEN the generator code THEN the committed model files are exactly what it builds (regenerate with npm run build:demo-model)', () => {
    const built = buildDemoModel();
    expect(readFileSync(join(MODEL, 'manifest.json'), 'utf8')).toBe(built.manifest);
    expect(Buffer.compare(readFileSync(join(MODEL, 'kp_detector.onnx')), Buffer.from(built.kpDetector))).toBe(0);
    expect(Buffer.compare(readFileSync(join(MODEL, 'generator.onnx')), Buffer.from(built.generator))).toBe(0);
    expect(parseManifest(built.manifest, 'demo').numKeypoints).toBe(1);
  });

  it('GIVEN a shape THEN kp_value is its centroid and kp_jacobian reads its orientation and size (J·Jᵀ = covariance)', async () => {
    const kp = await ort.InferenceSession.create(join(MODEL, 'kp_detector.onnx'));
    const size = 256;
    const poses = [
      { cx: 0, cy: 0, angle: 0, scale: 1 },
      { cx: 0.3, cy: -0.2, angle: 0, scale: 1 },
      { cx: 0, cy: 0, angle: Math.PI / 2, scale: 1 },
      { cx: 0, cy: 0, angle: 0, scale: 0.5 },
    ];
    const batch = new Uint8Array(poses.length * size * size * 3);
    poses.forEach((p, i) => batch.set(renderShape(size, size, p), i * size * size * 3));
    const out = await kp.run({ source: new ort.Tensor('float32', rgb24ToPlanar(batch, poses.length, size, size), [poses.length, 3, size, size]) });
    const v = out['kp_value']!.data as Float32Array;
    const j = out['kp_jacobian']!.data as Float32Array;
    expect(out['kp_value']!.dims).toEqual([4, 1, 2]);
    expect(out['kp_jacobian']!.dims).toEqual([4, 1, 2, 2]);
    // Translation moves the centroid by the same amount.
    expect(v[2]! - v[0]!).toBeCloseTo(0.3, 2);
    expect(v[3]! - v[1]!).toBeCloseTo(-0.2, 2);
    // A quarter turn rotates the jacobian's first column by 90°.
    const angle = (n: number) => Math.atan2(j[n * 4 + 2]!, j[n * 4]!);
    let turn = angle(2) - angle(0);
    while (turn > Math.PI) turn -= 2 * Math.PI;
    while (turn < -Math.PI) turn += 2 * Math.PI;
    expect(turn).toBeCloseTo(Math.PI / 2, 1);
    // Half the size halves the jacobian (determinant ¼).
    const det = (n: number) => j[n * 4]! * j[n * 4 + 3]! - j[n * 4 + 1]! * j[n * 4 + 2]!;
    expect(det(3) / det(0)).toBeCloseTo(0.25, 1);
    await kp.release();
  });
});
