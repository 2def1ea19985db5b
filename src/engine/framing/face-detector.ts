import * as ort from 'onnxruntime-node';
import { readFaceApiWeights } from './face-api-weights.js';
import { buildTinyFaceGraph } from './tiny-face-graph.js';

/**
 * The face detector's onnxruntime session (CPU), built in memory from the published weights the first time a
 * job asks for faces, then kept with the worker's other sessions. Takes RGB24 pictures already fitted and
 * padded into S×S (S a multiple of 32) and returns the raw output grids; tiny-face-decode.ts reads them.
 */
export class FaceDetector {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly startMs: number,
  ) {}

  static async open(cpuThreads: number): Promise<FaceDetector> {
    const started = performance.now();
    const graph = buildTinyFaceGraph(await readFaceApiWeights());
    const session = await ort.InferenceSession.create(graph, {
      executionProviders: ['cpu'],
      intraOpNumThreads: cpuThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new FaceDetector(session, performance.now() - started);
  }

  /** `count` pictures of S×S×3 bytes → grids [count, 25, S/32, S/32]. */
  async detect(pictures: Uint8Array, count: number, inputSize: number): Promise<{ grids: Float32Array; cells: number }> {
    if (inputSize % 32 !== 0 || pictures.length !== count * inputSize * inputSize * 3) {
      throw new Error(`face detector input of ${pictures.length} bytes is not ${count} pictures of ${inputSize}×${inputSize}`);
    }
    const out = await this.session.run({ image: new ort.Tensor('uint8', pictures, [count, inputSize, inputSize, 3]) });
    const grid = out['grid'];
    if (!grid || !(grid.data instanceof Float32Array)) throw new Error('face detector returned no float grid');
    const data = grid.data;
    return { grids: data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice(), cells: grid.dims[3]! };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
