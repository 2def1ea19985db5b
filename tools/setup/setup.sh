#!/usr/bin/env bash
# `npm run setup`: everything a new machine needs to run Marionette, then the project's own packages.
#   1. the system's part (ffmpeg, a compiler for the native addon): tools/setup/system-deps.sh run
#   2. npm install (npm ci under CI), built with the flags this project needs offline
# npm install alone never changes the system; this script is the one that may.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/setup/system-deps.sh run

# onnxruntime-node's install script downloads CUDA libraries from a host that may be unreachable; the CPU
# and WebGPU providers ship inside the package. (npm 11 no longer passes .npmrc's onnxruntime-node-install on.)
export ONNXRUNTIME_NODE_INSTALL=skip
# node-gyp (better-sqlite3, when no prebuilt binary can be downloaded) fetches Node's headers from nodejs.org
# unless told where they are; a Node installed from packages ships them in /usr/include/node.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

if [ "${MARIONETTE_CI:-0}" = 1 ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
