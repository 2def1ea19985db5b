#!/usr/bin/env bash
# Run on the GPU machine (device tool), after bench/gpu/prepare.sh here; carry .gpu .gl dist.
# One short call: unpack Node, onnxruntime-node and the Vulkan loader; write a seeded
# vox-256 checkpoint and convert it with the GPU machine's PyTorch; time the official demo
# loop in PyTorch on CUDA (fp32, one frame at a time); then the engine's worker and
# generating loop on WebGPU per batch size and per conversion and provider setting, with
# parity. Each conversion is made just before its check, most telling first, so a call
# that runs out of time keeps what it measured.
# Results in $OUT: pytorch.json, log.txt, and per check (bench/gpu/README.md):
#   gpu-check.json          default conversion: batches 1,4,16,32, then NCHW convolutions
#   gpu-check-mixed.json    --precision mixed (float16 encoder and decoder; Winograd bottleneck float32)
#   gpu-check-mixed-direct.json  --precision mixed --no-winograd (the bottleneck float16 too)
#   gpu-check-direct.json   --no-winograd (residual blocks by direct convolutions)
#   gpu-check-d2s.json      --upsample-interleave depth-to-space, NHWC and NCHW
#   gpu-check-fp16.json     --fp16 (float16 throughout)
#   gpu-check-novalidate.json  WebGPU without command validation (its own process: the
#                           setting is fixed when the process's WebGPU device is made)
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
CHECK_S=${CHECK_S:-70}
check() { timeout "$CHECK_S" $N dist/bench/gpu/gpu-check.js --source $W/source.rgb --driving $W/driving.rgb --reference $W/pytorch.rgb --device webgpu --repeats "$REPEATS" "$@" || echo "check stopped ($?): $*"; }
# convert NAME OPTIONS…: the seeded checkpoint into $W/NAME.
convert() { local name=$1; shift; $PY -m marionette_convert convert --checkpoint $W/vox.pth.tar --config vox --out "$W/$name" "$@" || echo "conversion failed ($?): $name $*"; }
check --model $W/vox --batches "$BATCHES" --variants "nchw@$B" --out "$OUT/gpu-check.json"
convert vox-mixed --precision mixed
check --model $W/vox-mixed --batches "$B" --variants "" --out "$OUT/gpu-check-mixed.json"
convert vox-mixed-direct --precision mixed --no-winograd
check --model $W/vox-mixed-direct --batches "$B" --variants "" --out "$OUT/gpu-check-mixed-direct.json"
convert vox-direct --no-winograd
check --model $W/vox-direct --batches "$B" --variants "" --out "$OUT/gpu-check-direct.json"
convert vox-d2s --upsample-interleave depth-to-space
check --model $W/vox-d2s --batches "$B" --variants "nchw@$B" --out "$OUT/gpu-check-d2s.json"
convert vox-fp16 --fp16
check --model $W/vox-fp16 --batches "$B" --variants "" --out "$OUT/gpu-check-fp16.json"
check --model $W/vox --batches "" --variants "novalidate@$B,nchw+novalidate@$B" --out "$OUT/gpu-check-novalidate.json"
echo done
