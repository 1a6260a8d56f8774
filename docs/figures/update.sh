#!/usr/bin/env bash
# Recomputes the figure data with TorchLosses and redraws the figures, PNG and SVG, with ScottPlot (in-process: only the
# .NET SDK is needed).
set -euo pipefail
cd "$(dirname "$0")/../.."
TORCHLOSSES_UPDATE_FIGURES=1 dotnet test TorchLosses.sln -c Release --filter "FullyQualifiedName~TorchLossesTests.Docs.FigureTests" "$@"
