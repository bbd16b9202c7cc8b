#!/usr/bin/env bash
# Installs every build, test and runtime dependency of pipecut from Debian 12 packages.
# Idempotent: packages already present are skipped, and apt is not touched when nothing is missing.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  coinor-libcbc-dev coinor-libclp-dev coinor-libcgl-dev coinor-libosi-dev
  prometheus-cpp-dev libcivetweb-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  libonnx-dev
  libboost-graph-dev
  prometheus curl python3
)

exec "$(dirname "$0")/apt_install.sh" install_deps "${PACKAGES[@]}"
