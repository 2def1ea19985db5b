import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface WebGpuProbe {
  readonly available: boolean;
  /** Why not, when no adapter was found. */
  readonly reason: string;
}

/**
 * Whether onnxruntime-node's WebGPU provider finds an adapter on this machine
 * (a GPU, or Mesa's software Vulkan driver lavapipe, which CI installs). Asked in
 * a child process (tools/webgpu/probe.cjs, which .ci/run also runs), so a Vulkan
 * driver that misbehaves cannot take the test process down with it.
 */
export function probeWebGpu(): WebGpuProbe {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'webgpu', 'probe.cjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return { available: true, reason: '' };
  const said = /no WebGPU adapter: (.*)/.exec(r.stdout ?? '')?.[1]?.trim();
  return { available: false, reason: said ?? `the probe exited with ${r.status ?? r.signal}` };
}
