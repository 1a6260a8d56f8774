#!/usr/bin/env bash
# OPTIONAL — not needed to build, test or run anything: the recorded vectors (parity/vectors/*.json) are committed.
#
# Re-records the PyTorch reference vectors of the parity suite with real PyTorch: Debian 12's python3-torch (PyTorch
# 1.13). Installs it with apt if it is missing (needs root or sudo), then runs
# parity/generate_vectors.py with Debian's interpreter, passing on its arguments:
#   bash scripts/regenerate-vectors.sh                   all losses
#   bash scripts/regenerate-vectors.sh smooth_l1_loss    one functional
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3-torch)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "regenerate-vectors: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "regenerate-vectors: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

exec /usr/bin/python3 parity/generate_vectors.py "$@"
