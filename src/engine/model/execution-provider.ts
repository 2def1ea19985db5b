import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

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
   * The GPU found (`/dev/nvidia0`, or a `/dev/dri/renderD*` node of a GPU's
   * kernel driver), or null. Without one, `auto` does not try WebGPU: the only
   * adapter would be a software Vulkan driver (lavapipe), far slower than the
   * CPU provider.
   */
  readonly gpuDevice: GpuDevice | null;
  /** Why no device counts, for the log (e.g. a virtual GPU's render node). */
  readonly gpuDeviceNote?: string;
}

export interface GpuDevice {
  readonly node: string;
  /** The kernel driver, when known. */
  readonly driver: string | null;
}

export interface RenderNode {
  readonly name: string;
  /** The kernel driver behind it (/sys/class/drm/<name>/device/driver), if readable. */
  readonly driver: string | null;
}

/**
 * Kernel drivers of GPUs that have a Vulkan driver (Mesa's or the vendor's).
 * Virtual and display-only DRM devices (virtio_gpu, vgem, vkms, simpledrm, …)
 * are left out: on such machines the WebGPU adapter is usually lavapipe.
 */
const GPU_KERNEL_DRIVERS = new Set(['amdgpu', 'i915', 'xe', 'nouveau', 'nvidia', 'nvidia-drm', 'msm', 'panfrost', 'panthor', 'v3d', 'asahi', 'powervr']);

/** Picks the GPU among the machine's device nodes; pure, so each machine's case is testable. */
export function findGpuDevice(nvidiaNode: boolean, renderNodes: readonly RenderNode[]): { device: GpuDevice | null; note?: string } {
  if (nvidiaNode) return { device: { node: '/dev/nvidia0', driver: 'nvidia' } };
  const gpu = renderNodes.find((n) => n.driver !== null && GPU_KERNEL_DRIVERS.has(n.driver));
  if (gpu) return { device: { node: `/dev/dri/${gpu.name}`, driver: gpu.driver } };
  if (renderNodes.length === 0) return { device: null };
  const seen = renderNodes.map((n) => `/dev/dri/${n.name} is ${n.driver ?? 'an unknown driver'}`).join(', ');
  return { device: null, note: `${seen}, not a GPU's` };
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
  const cudaMissing = 'the CUDA provider is not installed (see docs/gpu.md)';
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
      else if (available.gpuDevice === null) {
        const note = available.gpuDeviceNote ? ` (${available.gpuDeviceNote}; --device webgpu uses it anyway)` : '';
        skipped.push({ provider: 'webgpu', reason: `no GPU device (/dev/nvidia0, or /dev/dri/renderD* of a GPU driver) on this machine${note}` });
      } else {
        const { node, driver } = available.gpuDevice;
        candidates.push({
          provider: 'webgpu',
          reason: `WebGPU provider bundled and a GPU device present (${node}${driver && !node.endsWith('nvidia0') ? `, ${driver}` : ''})`,
        });
      }
      candidates.push({ provider: 'cpu', reason: 'always available' });
      break;
  }
  return { candidates, skipped };
}

/** Looks at the installed onnxruntime-node package (no sessions are created). */
export function detectAvailability(listBackends: () => ReadonlyArray<{ name: string; bundled: boolean }>): ProviderAvailability {
  const backends = safe(listBackends, []);
  const webgpuBundled = backends.some((b) => b.name === 'webgpu' && b.bundled);
  const { device, note } = findGpuDevice(existsSync('/dev/nvidia0'), renderNodes());
  return { cudaInstalled: cudaLibraryPresent(), webgpuBundled, gpuDevice: device, ...(note ? { gpuDeviceNote: note } : {}) };
}

function renderNodes(): RenderNode[] {
  const names = safe(() => readdirSync('/dev/dri'), [] as string[]).filter((name) => name.startsWith('renderD'));
  return names.map((name) => ({ name, driver: safe(() => basename(readlinkSync(`/sys/class/drm/${name}/device/driver`)), null) }));
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
