#!/usr/bin/env bash
# OPTIONAL — not needed to build, test or run anything: the recorded vectors (parity/vectors/*.json) are committed.
#
# Re-records the reference vectors of the parity suite with real PyTorch: Debian 12's python3-torch (PyTorch 1.13) and
# python3-torchvision (torchvision 0.14). Installs them with apt if they are missing (needs root or sudo), then runs the
# generator with Debian's interpreter, passing on its arguments:
#   bash scripts/regenerate-vectors.sh                   all 21 torch.nn losses (parity/generate_vectors.py)
#   bash scripts/regenerate-vectors.sh smooth_l1_loss    one functional
#   bash scripts/regenerate-vectors.sh detection         torchvision's focal and box losses (parity/generate_detection_vectors.py)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3-torch python3-torchvision)
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

if [[ "${1:-}" == "detection" ]]; then
  shift
  exec /usr/bin/python3 parity/generate_detection_vectors.py "$@"
fi
exec /usr/bin/python3 parity/generate_vectors.py "$@"
