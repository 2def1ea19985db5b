import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Which onnxruntime execution provider runs the models. `auto` prefers CUDA
 * when its provider libraries are installed, then WebGPU (compiled into
 * onnxruntime-node's Linux build; it needs a GPU adapter, e.g. through Vulkan),
 * then the CPU. The plan is pure; trying each candidate is the worker's job,
 * which falls through to the next when a session cannot be created.
 */
export type DeviceRequest = 'auto' | 'cpu' | 'webgpu' | 'cuda';
export type ProviderName = 'cpu' | 'webgpu' | 'cuda';

export const DEVICE_REQUESTS: readonly DeviceRequest[] = ['auto', 'cpu', 'webgpu', 'cuda'];

export interface ProviderAvailability {
  /** The CUDA provider's shared libraries are present next to onnxruntime's binding. */
  readonly cudaInstalled: boolean;
  /** onnxruntime-node lists webgpu among its bundled backends. */
  readonly webgpuBundled: boolean;
  /**
   * A GPU device node exists (/dev/nvidia0 or /dev/dri/renderD*). Without one,
   * `auto` does not try WebGPU: the only adapter would be a software Vulkan
   * driver (lavapipe), far slower than the CPU provider.
   */
  readonly gpuDevicePresent: boolean;
}

export interface ProviderCandidate {
  readonly provider: ProviderName;
  /** Why it is tried (or why earlier ones were skipped), for the log. */
  readonly reason: string;
}

export interface ProviderPlan {
  readonly candidates: readonly ProviderCandidate[];
  /** Providers left out, each with the reason. */
  readonly skipped: readonly ProviderCandidate[];
}

export function planProviders(request: DeviceRequest, available: ProviderAvailability): ProviderPlan {
  const skipped: ProviderCandidate[] = [];
  const candidates: ProviderCandidate[] = [];
  const cudaMissing = 'the CUDA provider is not installed (see README: "GPU: the CUDA execution provider")';
  switch (request) {
    case 'cpu':
      candidates.push({ provider: 'cpu', reason: 'requested' });
      break;
    case 'cuda':
      if (available.cudaInstalled) candidates.push({ provider: 'cuda', reason: 'requested' });
      else skipped.push({ provider: 'cuda', reason: cudaMissing });
      break;
    case 'webgpu':
      if (available.webgpuBundled) candidates.push({ provider: 'webgpu', reason: 'requested' });
      else skipped.push({ provider: 'webgpu', reason: 'this onnxruntime-node build has no WebGPU provider' });
      break;
    case 'auto':
      if (available.cudaInstalled) candidates.push({ provider: 'cuda', reason: 'CUDA provider installed' });
      else skipped.push({ provider: 'cuda', reason: cudaMissing });
      if (!available.webgpuBundled) skipped.push({ provider: 'webgpu', reason: 'this onnxruntime-node build has no WebGPU provider' });
      else if (!available.gpuDevicePresent) skipped.push({ provider: 'webgpu', reason: 'no GPU device (/dev/nvidia0, /dev/dri/renderD*) on this machine' });
      else candidates.push({ provider: 'webgpu', reason: 'WebGPU provider bundled and a GPU device present' });
      candidates.push({ provider: 'cpu', reason: 'always available' });
      break;
  }
  return { candidates, skipped };
}

/** Looks at the installed onnxruntime-node package (no sessions are created). */
export function detectAvailability(listBackends: () => ReadonlyArray<{ name: string; bundled: boolean }>): ProviderAvailability {
  const backends = safe(listBackends, []);
  const webgpuBundled = backends.some((b) => b.name === 'webgpu' && b.bundled);
  return { cudaInstalled: cudaLibraryPresent(), webgpuBundled, gpuDevicePresent: gpuDevicePresent() };
}

function gpuDevicePresent(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  const dri = safe(() => readdirSync('/dev/dri'), [] as string[]);
  return dri.some((name) => name.startsWith('renderD'));
}

function cudaLibraryPresent(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(dir, lib));
  } catch {
    return false;
  }
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
