#!/usr/bin/env bash
# Installs the Python side of tools/model_zoo.py (torch, torchvision, onnx from Debian 12; about 2 minutes).
# On demand only: the build, the tests and the fixtures in tests/fixtures/ do not need these packages.
# The modules import only under Debian's /usr/bin/python3, not a pyenv or venv python.
set -euo pipefail
exec "$(dirname "$0")/apt_install.sh" install_zoo_deps python3-torch python3-torchvision python3-onnx
