/**
 * Writes the reference outputs that tests/engine/face-detector.test.ts compares Marionette's face detector with:
 * the published tiny face detector of @vladmandic/face-api run by face-api itself (TensorFlow.js, wasm backend).
 * Not part of the project's dependencies: run it by hand after installing the reference into a scratch folder.
 *
 *   npm install --prefix /tmp/ref @vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
 *   node tools/framing/face-api-reference.mjs /tmp/ref > tests/fixtures/framing/face-api-reference.json
 *
 * For each photo it records (1) face-api's own detections on the whole photo (its own resizing and padding), and
 * (2) the network's raw output grid for the detector input Marionette makes (ffmpeg: fit in 416×416, pad right and
 * bottom with black), so the two networks can be compared on the same input.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const refRoot = process.argv[2];
if (!refRoot) throw new Error('usage: node tools/framing/face-api-reference.mjs <folder with the reference installed>');
const require = createRequire(join(refRoot, 'package.json'));
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
wasm.setWasmPaths(join(refRoot, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
await tf.setBackend('wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
await faceapi.nets.tinyFaceDetector.loadFromDisk(join(refRoot, 'node_modules/@vladmandic/face-api/model'));

const INPUT = 416;
const PHOTOS = ['astronaut.jpg', 'grace-hopper.jpg', 'camera.jpg', 'coffee.jpg'];
const WITH_GRID = new Set(['astronaut.jpg', 'grace-hopper.jpg']);
const dir = new URL('../../tests/fixtures/photos/', import.meta.url).pathname;

function rgb(path, filter) {
  const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]).toString().trim().split(',');
  const [w, h] = filter ? [INPUT, INPUT] : probe.map(Number);
  const args = ['-v', 'error', '-i', path, ...(filter ? ['-vf', filter] : []), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  return { data: new Uint8Array(execFileSync('ffmpeg', args, { maxBuffer: 1 << 28 })), width: w, height: h };
}

const round = (v, d = 4) => Math.round(v * 10 ** d) / 10 ** d;
const out = {
  generatedBy: 'tools/framing/face-api-reference.mjs',
  reference: `@vladmandic/face-api ${faceapi.version} (tiny_face_detector_model), @tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`,
  inputSize: INPUT,
  scoreThreshold: 0.5,
  detectorInputFilter: `scale=w=${INPUT}:h=${INPUT}:force_original_aspect_ratio=decrease:flags=bilinear,pad=${INPUT}:${INPUT}:0:0:black`,
  photos: {},
};
for (const name of PHOTOS) {
  const whole = rgb(join(dir, name));
  const image = tf.tensor3d(whole.data, [whole.height, whole.width, 3], 'int32');
  const found = await faceapi.detectAllFaces(image, new faceapi.TinyFaceDetectorOptions({ inputSize: INPUT, scoreThreshold: 0.5 }));
  image.dispose();
  const entry = {
    width: whole.width,
    height: whole.height,
    detections: found.map((d) => ({
      score: round(d.score),
      x: round(d.box.x, 2),
      y: round(d.box.y, 2),
      width: round(d.box.width, 2),
      height: round(d.box.height, 2),
    })),
  };
  if (WITH_GRID.has(name)) {
    const input = rgb(join(dir, name), out.detectorInputFilter);
    const batch = tf.tensor4d(input.data, [1, INPUT, INPUT, 3], 'int32');
    const grid = faceapi.nets.tinyFaceDetector.forwardInput(await faceapi.toNetInput(batch), INPUT);
    // NHWC [1, 13, 13, 25]: per cell, 5 anchors × (x, y, w, h, score) logits.
    entry.grid = { layout: 'NHWC', dims: grid.shape, values: Array.from(await grid.data(), (v) => round(v)) };
    batch.dispose();
    grid.dispose();
  }
  out.photos[name] = entry;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
