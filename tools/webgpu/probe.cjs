// Does onnxruntime-node's WebGPU provider find an adapter here (a GPU, or Mesa's
// software Vulkan driver lavapipe)? Exit 0 if so; otherwise exit 3 and print
// onnxruntime's reason on one line. Used by .ci/run and the WebGPU tests.
//   node tools/webgpu/probe.cjs
const { join } = require('node:path');
const ort = require('onnxruntime-node');

const model = join(__dirname, '..', '..', 'models', 'default', 'kp_detector.onnx');
ort.InferenceSession.create(model, { executionProviders: ['webgpu'], logSeverityLevel: 3 })
  .then((session) => session.release())
  .then(() => {
    process.stdout.write('WebGPU adapter found\n');
    process.exit(0);
  })
  .catch((e) => {
    const reason = String(e && e.message)
      .split('\n')[0]
      .replace(/^.*Failed to get a WebGPU adapter: /, '');
    process.stdout.write(`no WebGPU adapter: ${reason}\n`);
    process.exit(3);
  });
