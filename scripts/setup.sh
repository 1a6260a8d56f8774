#!/usr/bin/env bash
# Installs what TorchLosses needs on Debian 12 beyond the .NET SDK (idempotent: installs only what is missing).
#   gnuplot-nox         draws the parity report's, the docs' and the examples' figures (the figure tests run it)
#   python3-torch       only with --with-python: regenerates parity/vectors with real PyTorch (Debian's 1.13)
# TorchSharp and libtorch come from NuGet with the first `dotnet build`; the build itself makes TorchSharp's native
# library load on Debian 12's libstdc++ (build/LibStdCxxCompat.targets).
set -euo pipefail

packages=(gnuplot-nox)
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
