#!/usr/bin/env bash
# Run here (no GPU needed), once, before the device call: builds the project and
# packs what the GPU machine lacks into git-ignored folders that the call carries.
#   .gpu/node.xz      this machine's Node binary (the GPU machine has no Node)
#   .gpu/ort.tar.xz   onnxruntime-node with only its Linux x64 binaries, and onnxruntime-common
#   .gl/*.deb         the Vulkan loader (and GL libraries) for the WebGPU provider
#   dist/             the compiled project
# Then call the device tool with: command "bash bench/gpu/run.sh", carry [".gpu", ".gl", "dist"].
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
npx tsc -p tsconfig.json
mkdir -p .gpu
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > .gpu/node.xz
tmp=$(mktemp -d)
cp -rL node_modules/onnxruntime-node node_modules/onnxruntime-common "$tmp/"
rm -rf "$tmp"/onnxruntime-node/bin/napi-v6/{win32,darwin,linux/arm64} "$tmp/onnxruntime-node/script"
tar -C "$tmp" -cf - onnxruntime-node onnxruntime-common | xz -T2 -6 > .gpu/ort.tar.xz
rm -rf "$tmp"
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl .gl-lists/partial
  o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$PWD/.gl-lists"
  apt-get $o update >/dev/null
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh .gpu .gl dist
echo "Ready: device call with command 'bash bench/gpu/run.sh' and carry .gpu .gl dist (about $(du -sc .gpu .gl dist | tail -1 | cut -f1) KiB)."
