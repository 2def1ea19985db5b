#!/usr/bin/env bash
# The one list of what Marionette needs from the operating system, and the one place that installs it.
#
#   tools/setup/system-deps.sh run     what running Marionette needs (the bot, the CLI, the demo)
#   tools/setup/system-deps.sh test    that, plus what the test suite needs
#   tools/setup/system-deps.sh check   say what is missing for the tests, install nothing
#
# `npm run setup` (the README's first command), `npm test` (its second) and .ci/run all call this
# script; `npm install` itself never changes the system. On Debian and Ubuntu it installs what is
# missing with apt-get (as root, or through passwordless sudo); elsewhere (macOS, other Linux
# distributions) it says exactly what to install by hand. It does nothing when all is there.
#
# What each part is for:
#   ffmpeg, ffprobe      decoding photos and videos, encoding clips (run)
#   g++, make, python3   npm install compiles better-sqlite3 where no prebuilt binary can be downloaded (run)
#   PyTorch, ONNX, PyYAML  the Python reference converter and its tests (test)
#   a WebGPU adapter     the WebGPU provider's tests: Mesa's software Vulkan driver, lavapipe, serves without a GPU (test)
#   user namespaces      the full-disk tests mount a small tmpfs with `unshare -rm` (test)
#   PostgreSQL           its server programs (initdb, pg_ctl, postgres): the PostgreSQL tests start a throwaway
#                        server of their own (tests/support/postgres.ts), as the postgres user when run as root (test)
#
# Exit status: 0 when everything asked for is there (or, for `test` outside CI, when what could not be
# installed is only needed by tests, which then say what they lack and skip); 1 when something needed
# is missing and cannot be installed here, with one sentence saying what to do.
set -uo pipefail

mode="${1:-run}"
case "$mode" in
  run | test | check) ;;
  -h | --help)
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: tools/setup/system-deps.sh run|test|check" >&2
    exit 2
    ;;
esac

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
strict="${MARIONETTE_CI:-0}"

say() { printf 'marionette setup: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# What is missing. Each check prints nothing and answers with its exit status.
# ---------------------------------------------------------------------------------------------
has() { command -v "$1" >/dev/null 2>&1; }

ffmpeg_ok() {
  # Marionette itself also honours FFMPEG_PATH / FFPROBE_PATH; the set-up only looks at PATH and those.
  local ff="${FFMPEG_PATH:-ffmpeg}" fp="${FFPROBE_PATH:-ffprobe}"
  "$ff" -hide_banner -version >/dev/null 2>&1 && "$fp" -hide_banner -version >/dev/null 2>&1
}

compiler_ok() { has g++ && has make && has python3; }

# The Python the converter would use (src/convert/python-finder.ts): MARIONETTE_PYTHON, then python3 on
# PATH, then the system's. Debian's packages install into /usr/bin/python3, which a pyenv python3 may hide.
python_ok() {
  local candidates=()
  if [ -n "${MARIONETTE_PYTHON:-}" ]; then
    candidates=("$MARIONETTE_PYTHON")
  else
    candidates=(python3 /usr/bin/python3 /usr/local/bin/python3 /opt/homebrew/bin/python3)
  fi
  local p
  for p in "${candidates[@]}"; do
    "$p" -c 'import torch, onnx, yaml' >/dev/null 2>&1 && return 0
  done
  return 1
}

webgpu_ok() {
  # Needs onnxruntime-node (npm install): without node_modules the check cannot run yet.
  [ -d "$root/node_modules/onnxruntime-node" ] || return 0
  node "$root/tools/webgpu/probe.cjs" >/dev/null 2>&1
}

# The same places tests/support/postgres-cluster.ts looks: MARIONETTE_PG_BIN alone when set; else initdb on PATH and the
# packaged folders. As root the servers run as the postgres user (PostgreSQL refuses root), so that user must exist too.
postgres_ok() {
  local dirs=() d
  if [ -n "${MARIONETTE_PG_BIN:-}" ]; then
    dirs=("$MARIONETTE_PG_BIN")
  else
    if has initdb; then dirs+=("$(dirname "$(readlink -f "$(command -v initdb)" 2>/dev/null || command -v initdb)")"); fi
    for d in /usr/lib/postgresql/*/bin /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin /usr/pgsql-*/bin /usr/bin; do
      [ -d "$d" ] && dirs+=("$d")
    done
  fi
  for d in "${dirs[@]}"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
      [ "$(id -u)" -ne 0 ] || id -u postgres >/dev/null 2>&1
      return
    fi
  done
  return 1
}

tmpfs_ok() {
  has unshare || return 1
  unshare -rm sh -c 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d" && umount "$d" && rmdir "$d"' >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------
# How to install, per system.
# ---------------------------------------------------------------------------------------------
os="$(uname -s)"
distro=""
codename=""
if [ -r /etc/os-release ]; then
  distro="$(. /etc/os-release && echo "${ID:-} ${ID_LIKE:-}")"
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
fi
is_apt=0
if [ "$os" = Linux ] && has apt-get && [[ " $distro " == *" debian "* || " $distro " == *" ubuntu "* ]]; then
  is_apt=1
fi

as_root=()
can_root=1
if [ "$(id -u)" -ne 0 ]; then
  if has sudo && sudo -n true >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    can_root=0
  fi
fi

apt_updated=0
apt_release=()
# apt_install PACKAGE...: from apt_release's release when set (e.g. -t bookworm-backports).
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || { say "apt-get update failed"; return 1; }
    apt_updated=1
  fi
  say "installing $* (apt-get${apt_release[*]:+ ${apt_release[*]}})"
  local log
  log="$(mktemp)"
  if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_release[@]}" "$@" >"$log" 2>&1; then
    tail -n 5 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# The hand-install line for one component on this system.
manual_hint() {
  local what="$1"
  if [ "$os" = Darwin ]; then
    case "$what" in
      ffmpeg) echo "brew install ffmpeg" ;;
      compiler) echo "xcode-select --install" ;;
      python) echo "brew install python && python3 -m pip install torch onnx pyyaml (or set MARIONETTE_PYTHON to a Python that has them)" ;;
      webgpu) echo "nothing: Metal serves WebGPU on a Mac; if the probe still fails, run node tools/webgpu/probe.cjs for the reason" ;;
      tmpfs) echo "nothing can make it work: the full-disk tests need Linux user namespaces" ;;
      postgres) echo "brew install postgresql@16 (the tests find it in Homebrew's folder; nothing needs to be started)" ;;
    esac
  elif [ "$is_apt" = 1 ]; then
    case "$what" in
      ffmpeg) echo "sudo apt-get install -y ffmpeg" ;;
      compiler) echo "sudo apt-get install -y build-essential python3" ;;
      python) echo "sudo apt-get install -y python3-torch python3-onnx python3-yaml" ;;
      webgpu) echo "sudo apt-get install -y mesa-vulkan-drivers libvulkan1 (on Debian 12 from bookworm-backports: Dawn needs Mesa 25)" ;;
      tmpfs) echo "sudo sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000" ;;
      postgres) echo "sudo apt-get install -y postgresql" ;;
    esac
  else
    case "$what" in
      ffmpeg) echo "install ffmpeg 5.1 or newer, with ffprobe, from your distribution (Fedora: dnf install ffmpeg-free; Arch: pacman -S ffmpeg), or set FFMPEG_PATH and FFPROBE_PATH" ;;
      compiler) echo "install a C++ compiler, make and python3 from your distribution (Fedora: dnf install gcc-c++ make python3; Arch: pacman -S base-devel python)" ;;
      python) echo "python3 -m pip install torch onnx pyyaml, or set MARIONETTE_PYTHON to a Python that has them" ;;
      webgpu) echo "install Mesa's Vulkan drivers (lavapipe, Mesa 25 or newer) and the Vulkan loader from your distribution" ;;
      tmpfs) echo "allow unprivileged user namespaces (sysctl user.max_user_namespaces)" ;;
      postgres) echo "install PostgreSQL's server package from your distribution (Fedora: dnf install postgresql-server; Arch: pacman -S postgresql), or set MARIONETTE_PG_BIN to the folder holding initdb, pg_ctl and postgres" ;;
    esac
  fi
}

DESCRIBE_ffmpeg="ffmpeg and ffprobe"
DESCRIBE_compiler="a C++ compiler, make and python3 (to build better-sqlite3)"
DESCRIBE_python="Python 3 with PyTorch, ONNX and PyYAML (the reference converter and its tests)"
DESCRIBE_webgpu="a WebGPU adapter (the WebGPU tests)"
DESCRIBE_tmpfs="user namespaces that may mount a tmpfs (the full-disk tests)"
DESCRIBE_postgres="PostgreSQL's server programs, initdb, pg_ctl and postgres (the PostgreSQL tests)"

# Installs one component on Debian/Ubuntu; returns non-zero when it cannot.
install_component() {
  local what="$1"
  [ "$is_apt" = 1 ] && [ "$can_root" = 1 ] || return 1
  case "$what" in
    ffmpeg) apt_install ffmpeg ;;
    compiler) apt_install build-essential python3 ;;
    python) apt_install python3-torch python3-onnx python3-yaml ;;
    # Debian's package also creates the postgres user the tests need as root (and a cluster of its own, unused here).
    postgres) apt_install postgresql ;;
    webgpu)
      # Dawn (onnxruntime's WebGPU) refuses Debian 12's Mesa 22.3 and accepts bookworm-backports' 25.x.
      if [ "$codename" = bookworm ]; then
        echo "deb http://deb.debian.org/debian bookworm-backports main" | "${as_root[@]}" tee /etc/apt/sources.list.d/marionette-bookworm-backports.list >/dev/null
        apt_updated=0
        apt_release=(-t bookworm-backports)
      fi
      apt_install mesa-vulkan-drivers libvulkan1
      apt_release=()
      ;;
    tmpfs)
      if [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 0 ]; then
        "${as_root[@]}" sysctl -q -w kernel.unprivileged_userns_clone=1 || true
      fi
      if [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" = 0 ]; then
        "${as_root[@]}" sysctl -q -w user.max_user_namespaces=15000 || true
      fi
      ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------
needed=(ffmpeg compiler)
if [ "$mode" != run ]; then needed+=(python webgpu tmpfs postgres); fi

failed=0
for what in "${needed[@]}"; do
  "${what}_ok" && continue
  describe_var="DESCRIBE_$what"
  if [ "$mode" = check ]; then
    say "missing: ${!describe_var}; to install: $(manual_hint "$what")"
    failed=1
    continue
  fi
  if install_component "$what" && "${what}_ok"; then
    continue
  fi
  # One sentence: what is missing, why it could not be installed here, and the command that does it.
  if [ "$is_apt" = 1 ] && [ "$can_root" = 0 ]; then
    why="this script needs root or passwordless sudo to install it"
  elif [ "$is_apt" = 1 ]; then
    why="installing it did not make it work"
  else
    why="this script installs packages only on Debian and Ubuntu"
  fi
  say "${!describe_var} is missing and $why; install it by hand: $(manual_hint "$what")."
  case "$what" in
    ffmpeg | compiler) failed=1 ;;
    # Only tests need these: outside CI they say what they lack and skip; in CI they must run.
    *) [ "$strict" = 1 ] && failed=1 ;;
  esac
done
exit "$failed"
