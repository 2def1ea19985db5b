#!/usr/bin/env bash
# Run on the GPU machine (device tool), after bench/gpu/prepare.sh here; carry .gpu .gl dist.
# One short call: unpack Node, onnxruntime-node and the Vulkan loader; write a seeded
# vox-256 checkpoint and convert it with the GPU machine's PyTorch; time the official demo
# loop in PyTorch on CUDA (fp32, one frame at a time, PyTorch's defaults); then the engine's
# worker and generating loop on WebGPU per batch size and per conversion and provider
# setting, with the GPU's utilization sampled and parity against PyTorch's frames. Each
# conversion is made just before its check, most telling first, so a call that runs out of
# time keeps what it measured.
# Results in $OUT, three files (the device tool brings back at most eight):
#   log.txt, pytorch.json, and checks.tar holding one JSON per check (bench/gpu/README.md),
#   re-packed after every check:
#   gpu-check.json          default conversion: batches 1,4,16,32, then NCHW convolutions and
#                           no command validation at the largest batch (each worker makes its own
#                           WebGPU device, so the setting applies per run)
#   gpu-check-mixed.json    --precision mixed (float16 encoder and decoder; Winograd bottleneck float32)
#   gpu-check-mixed-direct.json  --precision mixed --no-winograd (the bottleneck float16 too)
#   gpu-check-direct.json   --no-winograd (residual blocks by direct convolutions)
#   gpu-check-d2s.json      --upsample-interleave depth-to-space, NHWC and NCHW
#   gpu-check-fp16.json     --fp16 (float16 throughout)
# A dry run without a GPU (lavapipe, PyTorch on the CPU), in a clone (it replaces node_modules):
#   TORCH_DEVICE=cpu FRAMES=2 BATCHES=2 REPEATS=1 CHECK_S=1800 FIRST_CHECK_S=1800 PYTHON=/usr/bin/python3 bash bench/gpu/run.sh
set -euo pipefail
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
# 128 frames: four batches at the largest size, so the first and last batch (whose layout conversions overlap
# nothing) do not dominate; about 2-4 s of GPU time per run.
FRAMES=${FRAMES:-128}
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
set +eu  # from here a failing step is reported and the next still runs: no failure may cost the engine's checks
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
export PYTHONPATH=$PWD/tools/convert PYTHONUNBUFFERED=1
W=/tmp/marionette-gpu; R=$W/results; mkdir -p $W $R
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
# Each check has a time limit so a pathological setting cannot eat the device budget: the
# first (the default conversion, six runs) FIRST_CHECK_S, the others CHECK_S; about 6 minutes
# in all with the conversions. Each writes its JSON after every step, so a stopped one keeps
# what it measured, and checks.tar is re-packed after each. The parity reference is optional:
# without it (the PyTorch step failed) the speed is still measured.
FIRST_CHECK_S=${FIRST_CHECK_S:-150}
CHECK_S=${CHECK_S:-45}
check() {
  local limit=$1; shift
  local ref=(); [ -s $W/pytorch.rgb ] && ref=(--reference $W/pytorch.rgb)
  timeout "$limit" $N dist/bench/gpu/gpu-check.js --source $W/source.rgb --driving $W/driving.rgb "${ref[@]}" --device webgpu --repeats "$REPEATS" "$@" || echo "check stopped ($?): $*"
  tar -C $R -cf "$OUT/checks.tar" .
}
# convert NAME OPTIONS…: the seeded checkpoint into $W/NAME.
convert() { local name=$1; shift; $PY -m marionette_convert convert --checkpoint $W/vox.pth.tar --config vox --out "$W/$name" "$@" || echo "conversion failed ($?): $name $*"; }
check "$FIRST_CHECK_S" --model $W/vox --batches "$BATCHES" --variants "novalidate@$B,nchw@$B" --out "$R/gpu-check.json"
convert vox-mixed --precision mixed
check "$CHECK_S" --model $W/vox-mixed --batches "$B" --variants "" --out "$R/gpu-check-mixed.json"
convert vox-mixed-direct --precision mixed --no-winograd
check "$CHECK_S" --model $W/vox-mixed-direct --batches "$B" --variants "" --out "$R/gpu-check-mixed-direct.json"
convert vox-direct --no-winograd
check "$CHECK_S" --model $W/vox-direct --batches "$B" --variants "" --out "$R/gpu-check-direct.json"
convert vox-d2s --upsample-interleave depth-to-space
check "$CHECK_S" --model $W/vox-d2s --batches "$B" --variants "nchw@$B" --out "$R/gpu-check-d2s.json"
convert vox-fp16 --fp16
check "$CHECK_S" --model $W/vox-fp16 --batches "$B" --variants "" --out "$R/gpu-check-fp16.json"
echo done
