#!/usr/bin/env bash
# Installs the Python side of tools/model_zoo.py (torch, torchvision, onnx from Debian 12; about 2 minutes).
# On demand only: the build, the tests and the fixtures in tests/fixtures/ do not need these packages.
# The modules import only under Debian's /usr/bin/python3, not a pyenv or venv python.
set -euo pipefail

PACKAGES=(python3-torch python3-torchvision python3-onnx)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_zoo_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install_zoo_deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
