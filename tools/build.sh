#!/usr/bin/env bash
# Configures and builds pipecut into BUILD_DIR (default: build), release mode.
# Extra arguments go to cmake (e.g. -DPIPECUT_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$BUILD_DIR.configure.log" 2>&1 ||
  { cat "$BUILD_DIR.configure.log"; exit 1; }
ninja -C "$BUILD_DIR" ${NINJA_TARGETS:-}
