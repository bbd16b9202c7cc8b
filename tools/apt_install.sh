#!/usr/bin/env bash
# apt_install.sh NAME PACKAGE...: installs the Debian packages that are missing.
# Idempotent: apt is not touched (no update) when every package is present.
set -euo pipefail
name=$1
shift
missing=()
for p in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "$name: all $# packages present"
  exit 0
fi

echo "$name: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
