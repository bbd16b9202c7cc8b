#!/usr/bin/env bash
# Installs what is missing, builds, and solves the bundled example model
# (a 6-layer BERT-like graph) into 4 pipeline stages: progress streams on
# stderr, the partition and its certificate print on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
NINJA_TARGETS=pipecut tools/build.sh
exec build/client/pipecut solve examples/bert_mini.json -k 4 --budget 10 --out build/bert_mini.plan.json "$@"
