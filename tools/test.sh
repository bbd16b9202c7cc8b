#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#  1. the release build: unit (core), service (in-process gRPC) and end-to-end tests;
#  2. an AddressSanitizer + UBSan build of the core and service tests.
# Set PIPECUT_TESTBED to the testbed directory (default ../shared/testbed);
# tests that need it say so and skip when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
tools/install_deps.sh

echo "== release build and all tests"
BUILD_DIR=build tools/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600

echo "== sanitizer build (ASan + UBSan) of the core and service tests"
BUILD_DIR=build-asan NINJA_TARGETS="core_tests server_tests" tools/build.sh -DPIPECUT_SANITIZE=ON -DPIPECUT_BUILD_BENCH=OFF
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
build-asan/tests/core_tests --gtest_brief=1
build-asan/tests/server_tests --gtest_brief=1

echo "== all tests passed in $(( $(date +%s) - start )) s"
