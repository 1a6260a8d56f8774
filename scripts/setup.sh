#!/usr/bin/env bash
# Installs what TorchLosses needs on Debian 12 (idempotent: installs only what is missing).
#   cmake, g++          build the native shim in native/
#   libtorch-dev        libtorch 1.13 (headers, libraries, CMake config)
#   gnuplot-nox         draws the parity report's and the examples' figures
#   python3-torch       only with --with-python: regenerates parity/vectors with real PyTorch
# The .NET 10 SDK is assumed to be installed already.
set -euo pipefail

packages=(cmake g++ libtorch-dev gnuplot-nox)
if [[ "${1:-}" == "--with-python" ]]; then packages+=(python3-torch); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: everything is installed (${packages[*]})"
else
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: done"
fi

command -v dotnet >/dev/null || { echo "setup: the .NET SDK (dotnet) is not on PATH; install .NET 10 first" >&2; exit 1; }
