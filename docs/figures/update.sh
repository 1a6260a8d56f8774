#!/usr/bin/env bash
# Recomputes the figure data with TorchLosses and redraws the SVGs (needs gnuplot: scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
TORCHLOSSES_UPDATE_FIGURES=1 dotnet test TorchLosses.sln --filter "FullyQualifiedName~TorchLossesTests.Docs.FigureTests" "$@"
