#!/usr/bin/env bash
# ONNX Runtime throughput on a GPU: the exported flight-delay LightGBM model, rows/s at batch sizes
# 1, 64, 4,096 and 65,536, on the CUDA execution provider (RequireGpu: no silent CPU fallback), then the
# same on the CPU for comparison. Runs only where an NVIDIA GPU and its driver are present.
# Usage (from the repository root): bash benchmarks/onnx-gpu/run.sh [output.md]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-benchmarks/results/onnx-gpu-throughput.md}
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "No NVIDIA GPU here (nvidia-smi finds none): nothing to measure." >&2
  exit 2
fi
project=benchmarks/ModelRetraining.Benchmarks
dotnet build -c Release "$project" -p:OnnxGpu=true -o .onnx-gpu-build >/dev/null
{
  echo "# ONNX Runtime throughput on $(nvidia-smi --query-gpu=name --format=csv,noheader | head -n1)"
  echo
  echo "Command: \`bash benchmarks/onnx-gpu/run.sh\` ($(date -u +%Y-%m-%d)), Microsoft.ML.OnnxRuntime.Gpu 1.31.0."
  echo
  echo "## CUDA"
  echo
  dotnet .onnx-gpu-build/ModelRetraining.Benchmarks.dll onnx-throughput cuda
  echo
  echo "## CPU (same build, same machine)"
  echo
  dotnet .onnx-gpu-build/ModelRetraining.Benchmarks.dll onnx-throughput cpu
} | tee "$out"
