#!/usr/bin/env bash
# Run on the GPU machine (device tool), after bench/gpu/prepare.sh here; carry .gpu .gl dist.
# One short call: unpack Node, onnxruntime-node and the Vulkan loader; write a seeded
# vox-256 checkpoint and convert it (fp32 with and without Winograd bottleneck, depth-to-space
# interleave, fp16 generator) with the GPU machine's
# PyTorch; time the official demo loop in PyTorch on CUDA (fp32, one frame at a time);
# then the engine's worker and generating loop on WebGPU per batch size and per provider
# setting (convolution layout; command validation, in its own process because it is
# fixed when the process's WebGPU device is made), with parity.
# Results: $OUT/gpu-check.json, $OUT/gpu-check-direct.json (residual blocks by direct
# convolutions, --no-winograd), $OUT/gpu-check-novalidate.json, $OUT/gpu-check-d2s.json
# (up-sampling interleaved by DepthToSpace), $OUT/gpu-check-fp16.json, $OUT/pytorch.json, $OUT/log.txt.
# A dry run without a GPU (lavapipe, PyTorch on the CPU), in a clone (it replaces node_modules):
#   TORCH_DEVICE=cpu FRAMES=2 BATCHES=2 REPEATS=1 CHECK_S=1800 PYTHON=/usr/bin/python3 bash bench/gpu/run.sh
set -euo pipefail
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
FRAMES=${FRAMES:-64}
TORCH_DEVICE=${TORCH_DEVICE:-cuda}
BATCHES=${BATCHES:-1,4,16,32}
REPEATS=${REPEATS:-2}
PY=${PYTHON:-python3}
B=${BATCHES##*,}
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
if [ ! -e /usr/share/vulkan/icd.d/nvidia_icd.json ] && [ -e /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
mkdir -p /tmp/node && xz -dc .gpu/node.xz > /tmp/node/node && chmod +x /tmp/node/node
rm -rf node_modules && mkdir node_modules && xz -dc .gpu/ort.tar.xz | tar -C node_modules -xf -
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
export PYTHONPATH=$PWD/tools/convert PYTHONUNBUFFERED=1
W=/tmp/marionette-gpu; mkdir -p $W
$PY -m marionette_convert.testing make-random-checkpoint --config vox --out $W/vox.pth.tar --seed 1 --no-optimizer-moments
$PY -m marionette_convert convert --checkpoint $W/vox.pth.tar --config vox --out $W/vox
$PY -m marionette_convert convert --checkpoint $W/vox.pth.tar --config vox --out $W/vox-direct --no-winograd
$PY -m marionette_convert convert --checkpoint $W/vox.pth.tar --config vox --out $W/vox-fp16 --fp16
$PY -m marionette_convert convert --checkpoint $W/vox.pth.tar --config vox --out $W/vox-d2s --upsample-interleave depth-to-space
# Inputs as RGB24 at 256x256: the converter's smooth random test images.
$PY - "$W" "$FRAMES" <<'PY'
import sys, torch
from marionette_convert.testing.random_model import random_images
w, n = sys.argv[1], int(sys.argv[2])
g = torch.Generator().manual_seed(11)
def rgb(x): return (x.permute(0, 2, 3, 1) * 255).round().clamp(0, 255).to(torch.uint8).numpy().tobytes()
open(f"{w}/source.rgb", "wb").write(rgb(random_images(1, 256, 256, g)))
open(f"{w}/driving.rgb", "wb").write(rgb(random_images(n, 256, 256, g)))
PY
$PY -m marionette_convert.bench_reference --checkpoint $W/vox.pth.tar --config vox --source $W/source.rgb \
  --driving $W/driving.rgb --warmup 4 --device "$TORCH_DEVICE" --dump $W/pytorch.rgb | tee "$OUT/pytorch.json"
N=/tmp/node/node
set +e  # from here each check reports its own failures and the next one still runs
# Each check has a time limit (CHECK_S) so a pathological setting cannot eat the device
# budget; each writes its JSON after every step, so a stopped one keeps what it measured.
# The settings most likely to matter run first; NCHW (slow on lavapipe) last in each.
CHECK_S=${CHECK_S:-80}
check() { timeout "$CHECK_S" $N dist/bench/gpu/gpu-check.js --source $W/source.rgb --driving $W/driving.rgb --reference $W/pytorch.rgb --device webgpu --repeats "$REPEATS" "$@" || echo "check stopped ($?): $*"; }
check --model $W/vox --batches "$BATCHES" --variants "nchw@$B" --out "$OUT/gpu-check.json"
check --model $W/vox-direct --batches "$B" --variants "" --out "$OUT/gpu-check-direct.json"
check --model $W/vox-d2s --batches "$B" --variants "nchw@$B" --out "$OUT/gpu-check-d2s.json"
check --model $W/vox --batches "" --variants "novalidate@$B,nchw+novalidate@$B" --out "$OUT/gpu-check-novalidate.json"
check --model $W/vox-fp16 --batches "$B" --variants "nchw@$B" --out "$OUT/gpu-check-fp16.json"
echo done
